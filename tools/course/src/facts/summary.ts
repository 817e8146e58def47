import { posix } from "node:path";
import { below, entryAt, type Filesystem, readText, resolvePath } from "./filesystem.ts";
import type { Facts, FactsInput } from "./image-types.ts";
import { BUILD_ONLY, devDependenciesOf, leftoversShipped, npmShipped } from "./layers.ts";
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

/** The dev dependencies that the app's package.json names (the usual ones when it cannot say). */
const devDependenciesIn = (fs: Filesystem, dir: string) =>
  devDependenciesOf(readText(fs, posix.join(dir, "package.json")));

/** What the runtime stage should have left behind: sources, build config and dev dependencies. */
export function buildLeftovers(fs: Filesystem, dir: string): string[] {
  const found: string[] = [];
  for (const name of BUILD_ONLY) {
    if (entryAt(fs, posix.join(dir, name))) found.push(name);
  }
  for (const name of devDependenciesIn(fs, dir)) {
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
    layers: input.layers ?? [],
    shipped: {
      npm: npmShipped(input.layers ?? []),
      leftovers: appDir
        ? leftoversShipped(input.layers ?? [], workdir, devDependenciesIn(fs, workdir))
        : [],
    },
  };
}
