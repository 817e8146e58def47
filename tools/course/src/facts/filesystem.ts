import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract } from "tar-stream";

// An image's filesystem as the engine exports it (a tar stream): the entries' names, types,
// owners and modes, and the text of the few small files the checks read. Nothing runs inside
// the image, so this works the same for images with no shell (distroless).

export type EntryType = "file" | "directory" | "symlink" | "link" | "other";

export interface Entry {
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Symlink or hard link target, as stored. */
  target?: string;
}

export interface Filesystem {
  entries: Map<string, Entry>;
  contents: Map<string, string>;
}

/**
 * Files whose text the checks read. Symlinks are resolved afterwards, so each file is wanted
 * under every path it may really have: /lib/apk/db/installed is usr/lib/apk/db/installed on a
 * /usr-merged Alpine, where /lib links to usr/lib.
 */
export const WANTED_FILES = [
  "/etc/os-release",
  "/usr/lib/os-release",
  "/lib/apk/db/installed",
  "/usr/lib/apk/db/installed",
  "/etc/passwd",
  "/etc/group",
];

/** An app's package.json near the top of the tree (/app/package.json, /home/app/package.json). */
const APP_MANIFEST = /^(\/[^/]+){1,3}\/package\.json$/;

export const wantedFile = (path: string) =>
  WANTED_FILES.includes(path) ||
  path.endsWith("/os-release") ||
  (APP_MANIFEST.test(path) && !path.includes("/node_modules/"));

/** Files longer than this are never kept as text. */
export const MAX_CONTENT = 2_000_000;

export function entryType(type: string): EntryType {
  if (type === "file" || type === "contiguous-file") return "file";
  if (type === "directory" || type === "symlink" || type === "link") return type;
  return "other";
}

export function normalise(name: string): string {
  const path = posix.normalize(`/${name}`);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** Reads a tar stream (`docker export`) into a Filesystem, keeping the text of wanted files. */
export async function scanTar(
  stream: Readable | NodeJS.ReadableStream,
  wanted: (path: string) => boolean = wantedFile,
): Promise<Filesystem> {
  const entries = new Map<string, Entry>();
  const contents = new Map<string, string>();
  const tar = extract();
  const read = async () => {
    for await (const entry of tar) {
      const { header } = entry;
      const path = normalise(header.name);
      const type = entryType(header.type);
      entries.set(path, {
        type,
        mode: header.mode,
        uid: header.uid,
        gid: header.gid,
        ...(header.linkname ? { target: header.linkname } : {}),
      });
      if (type === "file" && header.size <= MAX_CONTENT && wanted(path)) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        contents.set(path, Buffer.concat(chunks).toString("utf8"));
      } else {
        entry.resume();
      }
    }
  };
  // pipeline() passes an error of the export stream on to the reader instead of leaving it waiting.
  await Promise.all([pipeline(stream, tar), read()]);
  return { entries, contents };
}

/**
 * Follows symlinks (in every component, as the kernel does) to the path an entry really has;
 * undefined when it does not exist or links loop.
 */
export function resolvePath(fs: Filesystem, path: string): string | undefined {
  let remaining = normalise(path).split("/").filter(Boolean);
  let current = "/";
  for (let hops = 0; remaining.length > 0;) {
    const [name = "", ...rest] = remaining;
    remaining = rest;
    const candidate = posix.join(current, name);
    const entry = fs.entries.get(candidate);
    if (entry === undefined) {
      // Archives may leave out a parent directory; only the last name must exist.
      if (remaining.length === 0) return undefined;
      current = candidate;
      continue;
    }
    if (entry.type === "symlink" && entry.target !== undefined) {
      if (++hops > 40) return undefined;
      const target = entry.target.startsWith("/")
        ? entry.target
        : posix.join(current, entry.target);
      remaining = [...normalise(target).split("/").filter(Boolean), ...remaining];
      current = "/";
      continue;
    }
    if (entry.type === "link" && entry.target !== undefined && remaining.length === 0) {
      current = normalise(entry.target);
      continue;
    }
    current = candidate;
  }
  return current;
}

export function entryAt(fs: Filesystem, path: string): Entry | undefined {
  const real = resolvePath(fs, path);
  return real === undefined ? undefined : fs.entries.get(real);
}

export function readText(fs: Filesystem, path: string): string | undefined {
  const real = resolvePath(fs, path);
  return real === undefined ? undefined : fs.contents.get(real);
}

/** Every entry below a directory (not the directory itself). */
export function below(fs: Filesystem, dir: string): [string, Entry][] {
  const prefix = dir === "/" ? "/" : `${normalise(dir)}/`;
  return [...fs.entries].filter(([path]) => path.startsWith(prefix));
}
