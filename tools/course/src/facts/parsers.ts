import { posix } from "node:path";
import { entryAt, type Filesystem, readText, resolvePath } from "./filesystem.ts";
import type { CommandFacts, ImageConfig, UserFacts } from "./image-types.ts";

// Parsers of what an image holds: its environment, /etc/os-release, Alpine's package database,
// /etc/passwd and /etc/group, and its command as the engine runs it.

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function envValue(env: string[], name: string): string | undefined {
  const entry = env.findLast((item) => item.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

export function pathDirs(config: ImageConfig): string[] {
  return (envValue(config.env, "PATH") ?? DEFAULT_PATH).split(":").filter(Boolean);
}

export function parseOsRelease(text: string | undefined): { id?: string; name?: string } {
  const values = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined)
      values.set(match[1], match[2].replace(/^["']|["']$/g, ""));
  }
  const id = values.get("ID");
  const name = values.get("PRETTY_NAME") ?? values.get("NAME");
  return { ...(id ? { id } : {}), ...(name ? { name } : {}) };
}

/** Alpine's package database; on a /usr-merged Alpine, /lib links to usr/lib and it is found there. */
export const APK_DATABASE = "/lib/apk/db/installed";

/** Package names from Alpine's package database (`P:` lines of /lib/apk/db/installed). */
export function parseApkInstalled(text: string | undefined): string[] {
  return (text ?? "")
    .split("\n")
    .filter((line) => line.startsWith("P:"))
    .map((line) => line.slice(2).trim());
}

/** Where a command is found, as a shell would: the first PATH directory holding it. */
export function which(fs: Filesystem, dirs: string[], name: string): string | undefined {
  if (name.includes("/")) return undefined;
  for (const dir of dirs) {
    const candidate = posix.join(dir, name);
    const entry = entryAt(fs, candidate);
    if (entry?.type === "file" || entry?.type === "link") return candidate;
  }
  return undefined;
}

/** A path as the container sees it, relative paths starting from the working directory. */
export const inWorkdir = (config: ImageConfig, path: string) =>
  posix.resolve(config.workingDir || "/", path);

/** The program is node itself (the launcher is then its first argument). */
export const isNode = (program: string) => posix.basename(program) === "node";

const WRAPPERS = /^(docker-entrypoint\.sh|tini|tini-static|dumb-init|catatonit)$/;
const SHELLS = /^(\/bin\/|\/usr\/bin\/)?(sh|ash|bash|dash)$/;

export function analyseCommand(fs: Filesystem, config: ImageConfig): CommandFacts {
  const argv = [...config.entrypoint, ...config.cmd];
  let words = argv;
  let shellForm = false;
  if (words[0] !== undefined && SHELLS.test(words[0]) && words[1] === "-c") {
    shellForm = true;
    words = (words[2] ?? "").trim().split(/\s+/).filter(Boolean);
    if (words[0] === "exec") words = words.slice(1);
  }
  while (words[0] !== undefined && WRAPPERS.test(posix.basename(words[0]))) {
    words = words.slice(1);
    while (words[0]?.startsWith("-")) words = words.slice(1);
  }
  const [program, ...args] = words;
  if (program === undefined) return { argv, shellForm, args: [], launcher: false };

  const dirs = pathDirs(config);
  const resolved = program.includes("/")
    ? resolvePath(fs, inWorkdir(config, program)) && inWorkdir(config, program)
    : which(fs, dirs, program);
  const script = isNode(program) ? args.find((arg) => !arg.startsWith("-")) : undefined;
  // A bare name that PATH does not find may still be the app's launcher: the lesson of exercise 3.
  const appBin =
    !program.includes("/") &&
    entryAt(fs, inWorkdir(config, `node_modules/.bin/${program}`)) !== undefined;
  const launcher = script
    ? script.includes("node_modules/.bin/")
    : (resolved ?? program).includes("node_modules/.bin/") || (resolved === undefined && appBin);
  return {
    argv,
    shellForm,
    program,
    args,
    ...(resolved ? { resolved } : {}),
    launcher,
  };
}

function parseIds(text: string | undefined, file: "passwd" | "group") {
  return (text ?? "").split("\n").flatMap((line) => {
    const fields = line.split(":");
    const [name, , id, gid, , , , members] = [
      fields[0],
      fields[1],
      Number(fields[2]),
      Number(fields[3]),
      fields[4],
      fields[5],
      fields[6],
      file === "group" ? (fields[3] ?? "") : "",
    ];
    if (name === undefined || name === "" || !Number.isInteger(id)) return [];
    return [{ name, id, gid, members: members.split(",").filter(Boolean) }];
  });
}

/** The user the container runs as: from the running process, or else the image's USER. */
export function resolveUser(
  fs: Filesystem,
  config: ImageConfig,
  processUid: number | undefined,
): UserFacts {
  const passwd = parseIds(readText(fs, "/etc/passwd"), "passwd");
  const groups = parseIds(readText(fs, "/etc/group"), "group");
  const [userPart = "", groupPart] = config.user.split(":");
  const byName = passwd.find((u) => u.name === userPart);
  const imageUid = userPart === "" ? 0 : (byName?.id ?? Number(userPart));
  const uid = processUid ?? (Number.isInteger(imageUid) ? imageUid : -1);
  const account = passwd.find((u) => u.id === uid);
  const explicitGid =
    groupPart === undefined
      ? undefined
      : (groups.find((g) => g.name === groupPart)?.id ?? Number(groupPart));
  const gid = explicitGid ?? account?.gid ?? (uid === 0 ? 0 : uid);
  const supplementary = account
    ? groups.filter((g) => g.members.includes(account.name)).map((g) => g.id)
    : [];
  return {
    uid,
    ...(account ? { name: account.name } : {}),
    gid,
    groups: [...new Set([gid, ...supplementary])],
    source: processUid === undefined ? "image" : "process",
  };
}
