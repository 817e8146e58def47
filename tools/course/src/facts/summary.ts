import { posix } from "node:path";
import { below, entryAt, type Filesystem, readText, resolvePath } from "./filesystem.ts";
import type { Facts, FactsInput } from "./image-types.ts";
import { unreadableFiles, diagnoseLaunch } from "./launch.ts";
import {
  analyseCommand,
  APK_DATABASE,
  envValue,
  parseApkInstalled,
  parseOsRelease,
  pathDirs,
  resolveUser,
  which,
} from "./parsers.ts";

// From what was read (the image's files, its configuration, the running container) to the facts
// the rules judge.

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
