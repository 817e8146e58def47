import { posix } from "node:path";
import type { Entry, Filesystem } from "./filesystem.ts";

// What each layer of an image writes, as far as the checks care: an image is the stack of its
// layers, and every layer ships whole, so a file that a later layer deletes is hidden from the
// final filesystem but still downloaded by every `docker pull`. These are pure functions of what
// the engine's `docker save` archive holds (read by layers-read.ts), so they are tested on small
// made-up layers and on recorded facts.

/** One entry of a layer's archive, as the scan keeps it. */
export interface LayerEntry {
  type: "file" | "directory" | "symlink" | "link" | "other";
  size: number;
  /** Modification time in seconds: a chown or chmod keeps it, a new write changes it. */
  mtime: number;
  uid: number;
  gid: number;
  mode: number;
  /** Symlink or hard link target, as stored. */
  target?: string;
}

/** A layer's archive as read: its entries (whiteouts taken out) and what it deletes below it. */
export interface RawLayer {
  entries: Map<string, LayerEntry>;
  /** Paths deleted by `.wh.<name>` entries. */
  whiteouts: string[];
  /** Directories whose earlier contents `.wh..wh..opq` hides. */
  opaque: string[];
  /** The text of the files the checks read (filesystem.ts's wantedFile). */
  contents: Map<string, string>;
}

/** Files that a layer writes again with nothing changed but their owner or mode (chown/chmod -R). */
export interface Rewrites {
  files: number;
  bytes: number;
  owner: boolean;
  mode: boolean;
  /** The deepest directory holding all of them. */
  under: string;
}

/** What `course check --save-facts` records of one layer. */
export interface LayerFacts {
  /** The instruction that made it, from the image's history. */
  createdBy: string;
  /** Bytes of the files it holds. */
  bytes: number;
  /** The paths the checks care about that it writes: [path, bytes, files]. */
  holds: [string, number, number][];
  /** Paths it deletes that an earlier layer holds; a directory's contents end in "/*". */
  deletes: string[];
  rewrites?: Rewrites;
}

/** What the runtime stage should have left behind, relative to the app's folder. */
export const BUILD_ONLY = ["src", "tsconfig.json", "test", ".git"];
/** Dev dependencies assumed when the app's package.json cannot be read. */
export const DEFAULT_DEV_DEPENDENCIES = ["typescript", "tsx", "@types/node"];

const MARKED_DIRS = new Set(["src", "test", ".git", ".npm"]);

/**
 * The path a layer's entry counts under, when the checks care about it: npm and its launchers,
 * npm's cache, Alpine's package index, build-only files and folders, and the named packages
 * (dev dependencies) of any node_modules. Undefined for everything else.
 */
export function layerKey(
  path: string,
  directory: boolean,
  packages: ReadonlySet<string>,
): string | undefined {
  const modules = path.indexOf("/node_modules/");
  if (modules >= 0) {
    const rest = path.slice(modules + "/node_modules/".length).split("/");
    const name = rest[0]?.startsWith("@") ? rest.slice(0, 2).join("/") : rest[0];
    if (name === undefined || name === "") return undefined;
    return name === "npm" || packages.has(name)
      ? `${path.slice(0, modules)}/node_modules/${name}`
      : undefined;
  }
  if (/\/bin\/np[mx]$/.test(path)) return path;
  if (path === "/var/cache/apk" || path.startsWith("/var/cache/apk/")) return "/var/cache/apk";
  const parts = path.split("/");
  // A folder such as src/, not a program such as /usr/bin/test.
  const marked = parts.findIndex(
    (part, i) => i > 1 && MARKED_DIRS.has(part) && (directory || i < parts.length - 1),
  );
  if (marked > 0) return parts.slice(0, marked + 1).join("/");
  if (/^tsconfig(\..+)?\.json$/.test(posix.basename(path))) return path;
  return undefined;
}

/** `docker history`'s text of an instruction, as a Dockerfile would say it. */
export function instruction(createdBy: string): string {
  const text = createdBy
    .replace(/\s*# buildkit$/, "")
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, "")
    .replace(/^\/bin\/sh -c /, "RUN ")
    .replace(/^RUN \|\d+ (\S+=\S* )*/, "RUN ")
    .replace(/^RUN \/bin\/sh -c /, "RUN ")
    .replace(/\s+/g, " ")
    .trim();
  return text || "(no instruction recorded)";
}

export interface HistoryEntry {
  created_by?: string;
  empty_layer?: boolean;
}

/** The instruction of each layer: history entries marked empty_layer made none. */
export function layerInstructions(history: HistoryEntry[], layers: number): string[] {
  const made = history.filter((h) => h.empty_layer !== true).map((h) => h.created_by ?? "");
  // An image imported or squashed may have fewer history entries than layers: the first ones are
  // then the unnamed ones.
  const missing = Math.max(0, layers - made.length);
  return Array.from({ length: layers }, (_, i) =>
    i < missing ? "(no instruction recorded)" : instruction(made[i - missing] ?? ""),
  );
}

const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

function commonDir(paths: string[]): string {
  let prefix = paths[0] === undefined ? "/" : posix.dirname(paths[0]);
  for (const path of paths)
    while (!within(path, prefix) && prefix !== "/") prefix = posix.dirname(prefix);
  return prefix;
}

/** The path and each directory above it, up to the root's children. */
function* selfAndAncestors(path: string) {
  for (let p = path; p !== "/" && p !== "."; p = posix.dirname(p)) yield p;
}

/** Applies a layer's deletions to the view of the layers below it. */
function applyDeletions(view: Map<string, unknown>, layer: RawLayer) {
  if (layer.whiteouts.length === 0 && layer.opaque.length === 0) return;
  const whiteouts = new Set(layer.whiteouts);
  const opaque = new Set(layer.opaque);
  for (const path of [...view.keys()]) {
    for (const above of selfAndAncestors(path)) {
      if (whiteouts.has(above) || (above !== path && opaque.has(above))) {
        view.delete(path);
        break;
      }
    }
  }
}

/** The image's filesystem, as its container sees it: each layer laid over the ones below. */
export function flatten(layers: RawLayer[]): Filesystem {
  const entries = new Map<string, Entry>();
  const contents = new Map<string, string>();
  for (const layer of layers) {
    applyDeletions(entries, layer);
    applyDeletions(contents, layer);
    for (const [path, { type, mode, uid, gid, target }] of layer.entries) {
      entries.set(path, { type, mode, uid, gid, ...(target === undefined ? {} : { target }) });
      contents.delete(path);
    }
    for (const [path, text] of layer.contents) contents.set(path, text);
  }
  return { entries, contents };
}

/**
 * Summarises the layers, bottom first, with each one's instruction: the paths the checks care
 * about with their bytes, what each deletes of the layers below, and the files a layer writes
 * again with only their owner or mode changed.
 */
export function summariseLayers(
  layers: RawLayer[],
  instructions: string[],
  packages: ReadonlySet<string>,
): LayerFacts[] {
  const view = new Map<string, LayerEntry>();
  const heldBelow = new Set<string>();
  return layers.map((layer, index) => {
    const holds = new Map<string, [number, number]>();
    let bytes = 0;
    const rewritten: string[] = [];
    const rewrites = { files: 0, bytes: 0, owner: false, mode: false };
    const deletes = [
      ...layer.whiteouts.filter((w) => [...heldBelow].some((k) => within(k, w))),
      ...layer.opaque
        .filter((d) => [...heldBelow].some((k) => k.startsWith(`${d}/`)))
        .map((d) => `${d}/*`),
    ];
    applyDeletions(view, layer);
    for (const [path, entry] of layer.entries) {
      const size = entry.type === "file" ? entry.size : 0;
      bytes += size;
      const key = layerKey(path, entry.type === "directory", packages);
      if (key !== undefined) {
        const held = holds.get(key) ?? [0, 0];
        holds.set(key, [held[0] + size, held[1] + (entry.type === "directory" ? 0 : 1)]);
      }
      const before = view.get(path);
      if (
        entry.type === "file" &&
        before?.type === "file" &&
        before.size === entry.size &&
        before.mtime === entry.mtime &&
        (before.uid !== entry.uid || before.gid !== entry.gid || before.mode !== entry.mode)
      ) {
        rewrites.files++;
        rewrites.bytes += entry.size;
        rewrites.owner ||= before.uid !== entry.uid || before.gid !== entry.gid;
        rewrites.mode ||= before.mode !== entry.mode;
        rewritten.push(path);
      }
      view.set(path, entry);
    }
    for (const key of holds.keys()) heldBelow.add(key);
    return {
      createdBy: instructions[index] ?? "(no instruction recorded)",
      bytes,
      // An empty folder (Debian's /usr/src) ships nothing.
      holds: [...holds]
        .filter(([, [, files]]) => files > 0)
        .map(([path, [b, files]]) => [path, b, files] as [string, number, number]),
      deletes,
      ...(rewrites.files > 0 ? { rewrites: { ...rewrites, under: commonDir(rewritten) } } : {}),
    };
  });
}

/** Something a layer ships, and the later layer that hides it, if one does. */
export interface Shipment {
  path: string;
  bytes: number;
  files: number;
  layer: number;
  createdBy: string;
  /** The instruction of the first later layer that deletes it: it is hidden, not gone. */
  deletedBy?: string;
}

/** Every layer that holds a path the predicate picks, with what later deletes it. */
export function shipments(layers: LayerFacts[], pick: (path: string) => boolean): Shipment[] {
  return layers.flatMap((layer, index) =>
    layer.holds
      .filter(([path]) => pick(path))
      .map(([path, bytes, files]) => {
        const deleter = layers
          .slice(index + 1)
          .find((later) =>
            later.deletes.some((d) =>
              d.endsWith("/*") ? path.startsWith(d.slice(0, -1)) : within(path, d),
            ),
          );
        return {
          path,
          bytes,
          files,
          layer: index,
          createdBy: layer.createdBy,
          ...(deleter ? { deletedBy: deleter.createdBy } : {}),
        };
      }),
  );
}

const NPM_PATH = /\/node_modules\/npm$|\/bin\/np[mx]$/;
const NPM_CACHE = /\/\.npm$/;

/** npm and npm's cache in any layer. */
export const npmShipped = (layers: LayerFacts[]) =>
  shipments(layers, (path) => NPM_PATH.test(path) || NPM_CACHE.test(path));

export const isNpmCache = (path: string) => NPM_CACHE.test(path);

/** Sources, build configuration and dev dependencies of the app in its folder, in any layer. */
export function leftoversShipped(
  layers: LayerFacts[],
  workdir: string,
  devDependencies: string[],
): Shipment[] {
  if (workdir === "/") return [];
  const wanted = new Set([
    ...BUILD_ONLY.map((name) => posix.join(workdir, name)),
    ...devDependencies.map((name) => posix.join(workdir, "node_modules", name)),
  ]);
  return shipments(layers, (path) => wanted.has(path));
}

/** Alpine's package index (`apk add` without --no-cache), in any layer. */
export const apkIndexShipped = (layers: LayerFacts[]) =>
  shipments(layers, (path) => path === "/var/cache/apk").filter((s) => s.bytes > 0);

/** Layers that write files a second time only to change their owner or mode. */
export const rewriteLayers = (layers: LayerFacts[]) =>
  layers.flatMap((layer, index) =>
    layer.rewrites ? [{ layer: index, createdBy: layer.createdBy, ...layer.rewrites }] : [],
  );

/** The dev dependencies named by an app's package.json, or the usual ones when it says nothing. */
export function devDependenciesOf(manifest: string | undefined): string[] {
  if (manifest === undefined) return DEFAULT_DEV_DEPENDENCIES;
  try {
    const parsed = JSON.parse(manifest) as { devDependencies?: Record<string, string> };
    return Object.keys(parsed.devDependencies ?? {});
  } catch {
    return DEFAULT_DEV_DEPENDENCIES;
  }
}
