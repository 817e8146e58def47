import { posix } from "node:path";
import type { Stages } from "./dockerfile.ts";
import {
  below,
  type Entry,
  entryAt,
  type EntryType,
  type Filesystem,
  normalise,
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

/**
 * Why the app's launcher cannot start, as far as the image's files tell: PATH does not reach it,
 * it is not there, the user cannot read it, the app's file is not where the command says, or
 * Node.js would load the app as CommonJS because its package.json is missing.
 */
export type LaunchCause = "not-on-path" | "missing" | "unreadable" | "app-missing" | "module-type";

export interface LaunchFacts {
  cause?: LaunchCause;
  /** The path the cause is about (the launcher, an unreadable file, the app's file). */
  path?: string;
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
  launch: LaunchFacts;
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

/** Whether the user may read a file, or list and enter a directory. */
function readable(entry: Entry, user: UserFacts) {
  if (user.uid === 0 || (entry.type !== "file" && entry.type !== "directory")) return true;
  const shift = entry.uid === user.uid ? 6 : user.groups.includes(entry.gid) ? 3 : 0;
  const bits = (entry.mode >> shift) & 0o7;
  const needed = entry.type === "directory" ? 0o5 : 0o4;
  return (bits & needed) === needed;
}

const describeEntry = (path: string, entry: Entry) =>
  `${path} (${(entry.mode & 0o777).toString(8).padStart(3, "0")}, owner ${String(entry.uid)}:${String(entry.gid)})`;

/** Files of the app that the user cannot read (directories it cannot list or enter). */
export function unreadableFiles(fs: Filesystem, dir: string, user: UserFacts): string[] {
  const self = fs.entries.get(normalise(dir));
  const entries: [string, Entry][] = [
    ...(self ? [[normalise(dir), self] as [string, Entry]] : []),
    ...below(fs, dir),
  ];
  return entries.flatMap(([path, entry]) =>
    readable(entry, user) ? [] : [describeEntry(path, entry)],
  );
}

/** The app's script as the launcher is given it: `fastify start … dist/app.js`. */
const appScript = (args: string[]) => args.findLast((arg) => /\.(c|m)?js$/.test(arg));

/** Why the launcher would not start the app, read from the image's files; {} when nothing shows. */
export function diagnoseLaunch(
  fs: Filesystem,
  config: ImageConfig,
  command: CommandFacts,
  user: UserFacts,
): LaunchFacts {
  const workdir = config.workingDir || "/";
  const inWorkdir = (path: string) => posix.resolve(workdir, path);
  const program = command.program;
  if (program === undefined || /^(npm|npx)$/.test(posix.basename(program))) return {};
  const isNodeProgram = posix.basename(program) === "node";
  const launcher = isNodeProgram
    ? command.args.find((arg) => !arg.startsWith("-"))
    : (command.resolved ?? program);
  const launcherPath = launcher === undefined ? undefined : inWorkdir(launcher);
  const appBin = inWorkdir(`node_modules/.bin/${posix.basename(program)}`);

  // Every directory on the way to a file must be enterable, and the file readable.
  const blocked = (path: string) => {
    const parts = normalise(path).split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join("/")}`;
      const real = resolvePath(fs, prefix);
      const entry = real === undefined ? undefined : fs.entries.get(real);
      if (entry && !readable(entry, user)) return describeEntry(real ?? prefix, entry);
    }
    return undefined;
  };

  if (!isNodeProgram && command.resolved === undefined && !program.includes("/")) {
    if (entryAt(fs, appBin) === undefined) return { cause: "missing", path: appBin };
    return { cause: "not-on-path", path: appBin };
  }
  if (launcherPath !== undefined) {
    if (resolvePath(fs, launcherPath) === undefined || entryAt(fs, launcherPath) === undefined)
      return { cause: "missing", path: launcherPath };
    const real = resolvePath(fs, launcherPath) ?? launcherPath;
    const denied = blocked(launcherPath) ?? blocked(real);
    if (denied) return { cause: "unreadable", path: denied };
  }
  const script = appScript(command.args);
  if (script !== undefined) {
    const path = inWorkdir(script);
    if (entryAt(fs, path) === undefined) return { cause: "app-missing", path };
    const denied = blocked(path);
    if (denied) return { cause: "unreadable", path: denied };
    const manifest =
      readText(fs, posix.join(posix.dirname(path), "..", "package.json")) ??
      readText(fs, inWorkdir("package.json"));
    if (script.endsWith(".js") && !/"type"\s*:\s*"module"/.test(manifest ?? ""))
      return { cause: "module-type", path: inWorkdir("package.json") };
  }
  return {};
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
  const apkPackages = parseApkInstalled(readText(fs, APK_DATABASE));
  const node = findNode(fs, dirs);
  const nodeReal = node.onPath ? resolvePath(fs, node.onPath) : undefined;
  node.fromApk =
    apkPackages.some((p) => /^nodejs(-current)?$/.test(p)) && nodeReal === "/usr/bin/node";
  node.official =
    envValue(config.env, "NODE_VERSION") !== undefined && nodeReal === "/usr/local/bin/node";
  const user = resolveUser(fs, config, input.run.process?.uid);
  const workdir = config.workingDir || "/";
  const appDir = workdir !== "/";
  const command = analyseCommand(fs, config);
  return {
    exercise: input.exercise,
    image,
    ...(input.stages ? { stages: input.stages } : {}),
    os: parseOsRelease(readText(fs, "/etc/os-release") ?? readText(fs, "/usr/lib/os-release")),
    apkPackages,
    node,
    npm: findNpm(fs, dirs),
    command,
    path: dirs,
    workdir: {
      path: workdir,
      entries: appDir ? below(fs, workdir).length : 0,
      extras: appDir ? buildLeftovers(fs, workdir) : [],
      unreadable: appDir ? unreadableFiles(fs, workdir, user) : [],
    },
    launch: diagnoseLaunch(fs, config, command, user),
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
