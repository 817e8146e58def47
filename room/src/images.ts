import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { ImageArchive } from "./contract.ts";

// The class image archives the room hands out: indexed once at start (size and sha256, read in
// full, with progress for a person waiting on several gigabytes), then served by name only: a
// request can never name a path of its own.

export interface ServedArchive extends ImageArchive {
  path: string;
}

export type Progress = (line: string) => void;

async function sha256Of(path: string, size: number, progress: Progress) {
  const hash = createHash("sha256");
  let read = 0;
  let shown = -1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
    const percent = size === 0 ? 100 : Math.floor((read / size) * 100);
    if (percent >= shown + 10 || read === size) {
      shown = percent;
      progress(`sha256 ${basename(path)}: ${String(percent)}%`);
    }
  }
  return hash.digest("hex");
}

const unreadable = (path: string, error: unknown) =>
  new Error(
    `Cannot read the image archives at ${path} (${(error as { code?: string }).code ?? String(error)}): make them readable by the room's user (in the container, 65532).`,
  );

/** A folder given stands for the files in it (the container mounts one). */
async function expand(paths: readonly string[]) {
  const files: string[] = [];
  for (const given of paths) {
    const info = await stat(given).catch(() => undefined);
    if (info?.isDirectory() !== true) {
      files.push(given);
      continue;
    }
    const entries = await readdir(given, { withFileTypes: true }).catch((error: unknown) => {
      throw unreadable(given, error);
    });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name)))
      if (entry.isFile() && !entry.name.startsWith(".")) files.push(join(given, entry.name));
  }
  return files;
}

/** The index of the given archives; a missing file or two with one name stops the room at start. */
export async function indexArchives(paths: readonly string[], progress: Progress = () => {}) {
  const archives: ServedArchive[] = [];
  for (const given of await expand(paths)) {
    const path = resolve(given);
    const name = basename(path);
    if (archives.some((a) => a.name === name))
      throw new Error(`Two image archives are named ${name}: rename one.`);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`No image archive at ${given}.`);
    const sha256 = await sha256Of(path, info.size, progress).catch((error: unknown) => {
      throw unreadable(given, error);
    });
    archives.push({ name, path, size: info.size, sha256 });
  }
  return archives;
}

export const publicIndex = (archives: readonly ServedArchive[]): ImageArchive[] =>
  archives.map(({ name, size, sha256, platforms }) => ({
    name,
    size,
    sha256,
    ...(platforms === undefined ? {} : { platforms }),
  }));

/**
 * The byte range a Range header asks for: undefined for the whole file, "unsatisfiable" for 416.
 * One range only (`bytes=a-b`, `bytes=a-`, `bytes=-n`), which is what a resuming download sends.
 */
export function parseRange(header: string | undefined, size: number) {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "unsatisfiable" as const;
  const [, from = "", to = ""] = match;
  if (from === "") {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return "unsatisfiable" as const;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return "unsatisfiable" as const;
  return { start, end };
}
