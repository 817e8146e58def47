import { posix } from "node:path";
import type { Stages } from "./dockerfile.ts";
import {
  below,
  type Entry,
  entryAt,
  type EntryType,
  type Filesystem,
  readText,
  resolvePath,
} from "./filesystem.ts";

// What the checks know about a trainee's image: read from the built image (its configuration and
// its files) and from a container running it. The checks (exercises.ts) are pure functions of
// this object, so they can be tested on recorded facts, including Alpine ones that cannot be
// built where Docker Hub is out of reach. `course check --save-facts <file>` records them.

export interface ImageConfig {
  env: string[];
  cmd: string[];
  entrypoint: string[];
  user: string;
  workingDir: string;
}

export interface RunFacts {
  started: boolean;
  startError?: string;
  /** Still running when the probe ended. */
  running: boolean;
  exitCode?: number;
  logTail: string[];
  /** The main process, from `docker top`: its uid and command line. */
  process?: { uid: number; command: string };
  docs: { ok: boolean; status?: number; error?: string; seconds: number; timeout: number };
}

export interface CommandFacts {
  /** ENTRYPOINT and CMD together, as the engine runs them. */
  argv: string[];
  shellForm: boolean;
  /** The program that runs the app, after wrappers such as docker-entrypoint.sh or tini. */
  program?: string;
  args: string[];
  /** Where the program is found through PATH (or as a path), if it is. */
  resolved?: string;
  /** The program is a launcher from some node_modules/.bin (directly, or run by node). */
  launcher: boolean;
}

export interface UserFacts {
  uid: number;
  name?: string;
  gid: number;
  groups: number[];
  source: "process" | "image";
}

export interface PreviousResult {
  exercise: number;
  size: number;
  tag: string;
}

export interface Facts {
  exercise: number;
  image: { tag: string; id: string; size: number; config: ImageConfig };
  stages?: Stages;
  os: { id?: string; name?: string };
  apkPackages: string[];
  node: { paths: string[]; onPath?: string; official: boolean; fromApk: boolean };
  npm: string[];
  command: CommandFacts;
  path: string[];
  workdir: { path: string; entries: number; extras: string[]; unreadable: string[] };
  user: UserFacts;
  run: RunFacts;
  previous: PreviousResult[];
}

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

const WRAPPERS = /^(docker-entrypoint\.sh|tini|tini-static|dumb-init|catatonit)$/;
const SHELLS = /^(\/bin\/|\/usr\/bin\/)?(sh|ash|bash|dash)$/;
const isNode = (program: string) => posix.basename(program) === "node";

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
  const inWorkdir = (path: string) => posix.resolve(config.workingDir || "/", path);
  const resolved = program.includes("/")
    ? resolvePath(fs, inWorkdir(program)) && inWorkdir(program)
    : which(fs, dirs, program);
  const script = isNode(program) ? args.find((arg) => !arg.startsWith("-")) : undefined;
  // A bare name that PATH does not find may still be the app's launcher: the lesson of exercise 3.
  const appBin =
    !program.includes("/") && entryAt(fs, inWorkdir(`node_modules/.bin/${program}`)) !== undefined;
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

/** Files of the app that the user cannot read (directories it cannot list or enter). */
export function unreadableFiles(fs: Filesystem, dir: string, user: UserFacts): string[] {
  if (user.uid === 0) return [];
  return below(fs, dir).flatMap(([path, entry]) => {
    if (entry.type !== "file" && entry.type !== "directory") return [];
    const shift = entry.uid === user.uid ? 6 : user.groups.includes(entry.gid) ? 3 : 0;
    const bits = (entry.mode >> shift) & 0o7;
    const needed = entry.type === "directory" ? 0o5 : 0o4;
    if ((bits & needed) === needed) return [];
    const mode = (entry.mode & 0o777).toString(8).padStart(3, "0");
    return [`${path} (${mode}, owner ${entry.uid}:${entry.gid})`];
  });
}

/** What the runtime stage should have left behind: sources, build config and dev dependencies. */
export function buildLeftovers(fs: Filesystem, dir: string): string[] {
  const found: string[] = [];
  for (const name of ["src", "tsconfig.json", "test", ".git"]) {
    if (entryAt(fs, posix.join(dir, name))) found.push(name);
  }
  let devDependencies = ["typescript", "tsx", "@types/node"];
  const manifest = readText(fs, posix.join(dir, "package.json"));
  if (manifest !== undefined) {
    try {
      const parsed = JSON.parse(manifest) as { devDependencies?: Record<string, string> };
      devDependencies = Object.keys(parsed.devDependencies ?? {});
    } catch {
      // An unreadable package.json changes nothing here: the default list applies.
    }
  }
  for (const name of devDependencies) {
    const path = posix.join(dir, "node_modules", name);
    if (entryAt(fs, path)) found.push(`node_modules/${name}`);
  }
  return found;
}

export function findNpm(fs: Filesystem, dirs: string[]): string[] {
  const found = new Set<string>();
  const onPath = which(fs, dirs, "npm");
  if (onPath) found.add(onPath);
  for (const [path, entry] of fs.entries) {
    if (/\/node_modules\/npm$/.test(path) && entry.type === "directory") {
      if (fs.entries.has(`${path}/package.json`)) found.add(path);
    } else if (/\/bin\/npm$/.test(path)) {
      found.add(path);
    }
  }
  return [...found].sort();
}

export function findNode(fs: Filesystem, dirs: string[]): Facts["node"] & { paths: string[] } {
  const onPath = which(fs, dirs, "node");
  const paths = new Set<string>(onPath ? [onPath] : []);
  for (const known of ["/usr/local/bin/node", "/usr/bin/node", "/nodejs/bin/node"]) {
    const entry = fs.entries.get(known);
    if (entry && entry.type !== "directory") paths.add(known);
  }
  return { paths: [...paths], ...(onPath ? { onPath } : {}), official: false, fromApk: false };
}

export interface FactsInput {
  exercise: number;
  image: Facts["image"];
  stages?: Stages;
  fs: Filesystem;
  run: RunFacts;
  previous: PreviousResult[];
}

export function summarise(input: FactsInput): Facts {
  const { fs, image } = input;
  const { config } = image;
  const dirs = pathDirs(config);
  const apkPackages = parseApkInstalled(readText(fs, "/lib/apk/db/installed"));
  const node = findNode(fs, dirs);
  const nodeReal = node.onPath ? resolvePath(fs, node.onPath) : undefined;
  node.fromApk =
    apkPackages.some((p) => /^nodejs(-current)?$/.test(p)) && nodeReal === "/usr/bin/node";
  node.official =
    envValue(config.env, "NODE_VERSION") !== undefined && nodeReal === "/usr/local/bin/node";
  const user = resolveUser(fs, config, input.run.process?.uid);
  const workdir = config.workingDir || "/";
  const appDir = workdir !== "/";
  return {
    exercise: input.exercise,
    image,
    ...(input.stages ? { stages: input.stages } : {}),
    os: parseOsRelease(readText(fs, "/etc/os-release") ?? readText(fs, "/usr/lib/os-release")),
    apkPackages,
    node,
    npm: findNpm(fs, dirs),
    command: analyseCommand(fs, config),
    path: dirs,
    workdir: {
      path: workdir,
      entries: appDir ? below(fs, workdir).length : 0,
      extras: appDir ? buildLeftovers(fs, workdir) : [],
      unreadable: appDir ? unreadableFiles(fs, workdir, user) : [],
    },
    user,
    run: input.run,
    previous: input.previous,
  };
}

/** FactsInput as JSON: the filesystem as a listing of [path, type, octal mode, uid, gid, target?]. */
export interface Recording extends Omit<FactsInput, "fs"> {
  note?: string;
  fs: { entries: (string | number)[][]; contents: Record<string, string> };
}

export function toRecording(input: FactsInput): Recording {
  return {
    ...input,
    fs: {
      entries: [...input.fs.entries].map(([path, e]) => [
        path,
        e.type,
        e.mode.toString(8),
        e.uid,
        e.gid,
        ...(e.target === undefined ? [] : [e.target]),
      ]),
      contents: Object.fromEntries(input.fs.contents),
    },
  };
}

export function fromRecording(recording: Recording): FactsInput {
  const entries = new Map<string, Entry>();
  for (const [path, type, mode, uid, gid, target] of recording.fs.entries) {
    entries.set(String(path), {
      type: type as EntryType,
      mode: parseInt(String(mode), 8),
      uid: Number(uid),
      gid: Number(gid),
      ...(target === undefined ? {} : { target: String(target) }),
    });
  }
  const { exercise, image, stages, run, previous } = recording;
  return {
    exercise,
    image,
    ...(stages ? { stages } : {}),
    fs: { entries, contents: new Map(Object.entries(recording.fs.contents)) },
    run,
    previous,
  };
}
