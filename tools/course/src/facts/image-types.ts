import type { Stages } from "./dockerfile.ts";
import type { PreviousResult } from "../lib/results.ts";
import type { Filesystem } from "./filesystem.ts";
import type { LayerFacts, Shipment } from "./layers.ts";

// What the checks of exercises 1 to 4 know about a trainee's image: read from the built image (its
// configuration and its files) and from a container running it. The rules (../rules/image.ts)
// are pure functions of it, so they are tested on recorded facts, including Alpine ones that
// cannot be built where Docker Hub is out of reach (`course check --save-facts <file>`).

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

/** What the layers ship that the running API never uses (layers.ts), whether hidden later or not. */
export interface ShippedFacts {
  npm: Shipment[];
  leftovers: Shipment[];
}

export interface Facts {
  exercise: number;
  /** platform: "linux/arm64" (absent in older recordings). */
  image: { tag: string; id: string; size: number; platform?: string; config: ImageConfig };
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
  /** Each layer of the image, bottom first; empty when a recording has none. */
  layers: LayerFacts[];
  shipped: ShippedFacts;
}

export interface FactsInput {
  exercise: number;
  image: Facts["image"];
  stages?: Stages;
  fs: Filesystem;
  run: RunFacts;
  previous: PreviousResult[];
  /** Each layer of the image, bottom first (`docker save`); absent in older recordings. */
  layers?: LayerFacts[];
}

/** How the build went: the first error and a hint on the classic mistakes when it failed. */
export interface BuildFacts {
  ok: boolean;
  seconds: number;
  error: string;
  hint: string;
}

/** What the rules of an image exercise judge: the build, and the image once it built. */
export interface ImageFacts {
  build: BuildFacts;
  image?: Facts;
}
