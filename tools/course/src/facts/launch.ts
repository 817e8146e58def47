import { posix } from "node:path";
import {
  below,
  type Entry,
  entryAt,
  type Filesystem,
  normalise,
  readText,
  resolvePath,
} from "./filesystem.ts";
import type { CommandFacts, ImageConfig, LaunchFacts, UserFacts } from "./image-types.ts";
import { inWorkdir as inWorkdirOf, isNode } from "./parsers.ts";

// Why the app's launcher cannot start, as far as the image's files tell, and which of the app's
// files the user it runs as may not read.

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
  const inWorkdir = (path: string) => inWorkdirOf(config, path);
  const program = command.program;
  if (program === undefined || /^(npm|npx)$/.test(posix.basename(program))) return {};
  const isNodeProgram = isNode(program);
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
