import { posix } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { extract } from "tar-stream";
import { docker } from "../lib/docker.ts";
import { entryType, MAX_CONTENT, normalise, readText, wantedFile } from "./filesystem.ts";
import {
  devDependenciesOf,
  flatten,
  type HistoryEntry,
  layerInstructions,
  type RawLayer,
  summariseLayers,
} from "./layers.ts";

// An image's layers, streamed from the engine as `docker save` writes them and read on the fly:
// nothing is unpacked to disk. The classic image store writes each layer as a plain tar; the
// containerd store writes an OCI layout whose layers may be compressed, so each archive is
// recognised by its first bytes rather than by its name.

const TAR_MAGIC_OFFSET = 257;
const GZIP = Buffer.from([0x1f, 0x8b]);
const ZSTD = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
/** Configurations and manifests are small; anything larger that is not a tar is skipped. */
const MAX_JSON = 8_000_000;

type Chunks = AsyncIterator<Buffer>;

/** The first bytes of an entry, and the whole of it again as a stream. */
async function peek(chunks: Chunks, bytes: number) {
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < bytes && !done) {
    const next = await chunks.next();
    if (next.done === true) done = true;
    else head = Buffer.concat([head, next.value]);
  }
  async function* all() {
    if (head.length > 0) yield head;
    if (done) return;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next())
      yield next.value;
  }
  return { head, all };
}

async function drain(chunks: Chunks) {
  while ((await chunks.next()).done !== true);
}

/** A tar archive: a header with its magic, or nothing but the end blocks (an empty layer). */
const isTar = (head: Buffer) =>
  head.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString("latin1") === "ustar" ||
  (head.length >= 512 && head.subarray(0, 512).every((byte) => byte === 0));

/** Reads one layer's tar: its entries, and its whiteouts as the paths they delete. */
export async function scanLayer(source: AsyncIterable<Buffer>, unpack?: NodeJS.ReadWriteStream) {
  const layer: RawLayer = { entries: new Map(), whiteouts: [], opaque: [], contents: new Map() };
  const tar = extract();
  const read = async () => {
    for await (const entry of tar) {
      const { header } = entry;
      const path = normalise(header.name);
      const name = posix.basename(path);
      if (name === ".wh..wh..opq") layer.opaque.push(posix.dirname(path));
      else if (name.startsWith(".wh..wh.")) {
        // Other markers of the aufs era (hard-link directories) delete nothing.
      } else if (name.startsWith(".wh."))
        layer.whiteouts.push(posix.join(posix.dirname(path), name.slice(4)));
      else {
        const type = entryType(header.type);
        const size = header.size;
        layer.entries.set(path, {
          type,
          size,
          mtime: Math.floor(header.mtime.getTime() / 1000),
          uid: header.uid,
          gid: header.gid,
          mode: header.mode,
          ...(header.linkname ? { target: header.linkname } : {}),
        });
        if (type === "file" && size <= MAX_CONTENT && wantedFile(path)) {
          const chunks: Buffer[] = [];
          for await (const chunk of entry) chunks.push(chunk as Buffer);
          layer.contents.set(path, Buffer.concat(chunks).toString("utf8"));
          continue;
        }
      }
      entry.resume();
    }
  };
  const input = Readable.from(source);
  await Promise.all([unpack ? pipeline(input, unpack, tar) : pipeline(input, tar), read()]);
  return layer;
}

function decompressor(head: Buffer) {
  if (head.subarray(0, 2).equals(GZIP)) return zlib.createGunzip();
  if (head.subarray(0, 4).equals(ZSTD)) return zlib.createZstdDecompress();
  return undefined;
}

/** What a `docker save` archive holds: each layer read, and the small JSON files kept whole. */
export interface SavedImage {
  layers: Map<string, RawLayer>;
  json: Map<string, string>;
  /** Entries that are links to others (older engines link a layer that repeats). */
  links: Map<string, string>;
}

/** Reads a `docker save` stream, each layer archive as it passes (plain, gzip or zstd). */
export async function scanSave(stream: NodeJS.ReadableStream | Readable): Promise<SavedImage> {
  const saved: SavedImage = { layers: new Map(), json: new Map(), links: new Map() };
  const outer = extract();
  const read = async () => {
    for await (const entry of outer) {
      const name = normalise(entry.header.name);
      const chunks = (entry as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      if (entry.header.type === "symlink" && entry.header.linkname) {
        saved.links.set(name, posix.join(posix.dirname(name), entry.header.linkname));
        await drain(chunks);
        continue;
      }
      if (entry.header.type !== "file") {
        await drain(chunks);
        continue;
      }
      const { head, all } = await peek(chunks, 512);
      const unpack = decompressor(head);
      if (unpack !== undefined) {
        saved.layers.set(name, await scanLayer(all(), unpack));
        await drain(chunks);
      } else if (isTar(head)) {
        saved.layers.set(name, await scanLayer(all()));
      } else if (entry.header.size <= MAX_JSON) {
        const parts: Buffer[] = [];
        for await (const part of all()) parts.push(part);
        saved.json.set(name, Buffer.concat(parts).toString("utf8"));
      } else {
        await drain(chunks);
      }
    }
  };
  // pipeline() passes an error of the engine's stream on to the reader instead of leaving it waiting.
  await Promise.all([pipeline(stream as Readable, outer), read()]);
  return saved;
}

interface ManifestEntry {
  Config?: string;
  Layers?: string[];
}

interface ImageConfigJson {
  history?: HistoryEntry[];
}

/** The image's layers as read, bottom first, with the instructions that made them. */
export function orderedLayers(saved: SavedImage): { raw: RawLayer[]; instructions: string[] } {
  const text = saved.json.get("/manifest.json");
  if (text === undefined) throw new Error("the saved image has no manifest.json");
  const [manifest] = JSON.parse(text) as ManifestEntry[];
  const find = (name: string) => {
    const path = normalise(name);
    return saved.layers.get(path) ?? saved.layers.get(saved.links.get(path) ?? "");
  };
  const raw = (manifest?.Layers ?? []).map((name) => {
    const layer = find(name);
    if (layer === undefined) throw new Error(`the saved image has no layer ${name}`);
    return layer;
  });
  const config = JSON.parse(
    saved.json.get(normalise(manifest?.Config ?? "")) ?? "{}",
  ) as ImageConfigJson;
  return { raw, instructions: layerInstructions(config.history ?? [], raw.length) };
}

/**
 * The image's filesystem and its layer facts from one `docker save` stream: the layers laid over
 * each other give the files the container sees, without creating or exporting a container.
 */
export function imageFacts(saved: SavedImage, workdir: string) {
  const { raw, instructions } = orderedLayers(saved);
  const fs = flatten(raw);
  const manifest = readText(fs, posix.join(workdir || "/", "package.json"));
  const packages = new Set(devDependenciesOf(manifest));
  return { fs, layers: summariseLayers(raw, instructions, packages) };
}

/** Streams an image from the engine (`docker save`) and reads its files and layers. */
export async function readImage(image: string, workdir: string) {
  return imageFacts(await scanSave(await docker.getImage(image).get()), workdir);
}
