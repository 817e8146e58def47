import { createReadStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract, pack } from "tar-stream";
import { formatPlatform, samePlatform, type Platform } from "../../lib/platform.ts";

// What an image archive holds, read from the archive itself rather than from the engine that wrote
// it: `docker save` writes an OCI layout (index.json, blobs/) and, for older loaders, manifest.json
// with one platform per name. An image counts for a platform only when its manifest, config and
// every layer are in the archive: an index may list platforms whose content was never pulled.

/** Files small enough to be JSON documents (indexes, manifests, configs) are kept in memory. */
const KEEP_BELOW = 1 << 20;

export type ArchiveFiles = Map<string, Buffer | undefined>;

/** One platform of one image, with the files a loader needs. */
export interface Variant {
  platform: Platform;
  config: string;
  layers: string[];
}

export interface ArchivedImage {
  name: string;
  variants: Variant[];
  /** The platform manifest.json gives this name (what a classic-store engine loads), if any. */
  compat?: Platform;
}

/** Names as `docker images` shows them: no docker.io/ or library/ in front. */
export function familiar(name: string): string {
  return name.replace(/^docker\.io\//, "").replace(/^library\//, "");
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export function describeArchive(files: ArchiveFiles): ArchivedImage[] {
  const json = (path: string): unknown => {
    const content = files.get(path);
    if (!content) return undefined;
    try {
      return JSON.parse(content.toString("utf8"));
    } catch {
      return undefined;
    }
  };
  const blob = (digest: string) => `blobs/${digest.replace(":", "/")}`;
  const configPlatform = (path: string): Platform | undefined => {
    const config = json(path) as Partial<Platform> | undefined;
    if (!config?.os || !config.architecture) return undefined;
    const { os, architecture, variant } = config;
    return variant ? { os, architecture, variant } : { os, architecture };
  };
  const variant = (config: string, layers: string[]): Variant | undefined => {
    const platform = configPlatform(config);
    if (!platform || platform.os === "unknown") return undefined; // attestations
    return layers.every((layer) => files.has(layer)) ? { platform, config, layers } : undefined;
  };
  const resolve = (descriptor: Descriptor, depth = 0): Variant[] => {
    const document = json(blob(descriptor.digest)) as
      { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] } | undefined;
    if (!document || depth > 4) return [];
    if (document.manifests) return document.manifests.flatMap((d) => resolve(d, depth + 1));
    if (!document.config) return [];
    const found = variant(
      blob(document.config.digest),
      (document.layers ?? []).map((layer) => blob(layer.digest)),
    );
    return found ? [found] : [];
  };

  const images = new Map<string, ArchivedImage>();
  const add = (name: string, variants: Variant[], compat?: Platform) => {
    const image = images.get(familiar(name)) ?? { name: familiar(name), variants: [] };
    for (const found of variants)
      if (!image.variants.some((v) => samePlatform(v.platform, found.platform)))
        image.variants.push(found);
    if (compat) image.compat = compat;
    images.set(image.name, image);
  };

  const index = json("index.json") as { manifests?: Descriptor[] } | undefined;
  for (const descriptor of index?.manifests ?? []) {
    const name =
      descriptor.annotations?.["io.containerd.image.name"] ??
      descriptor.annotations?.["org.opencontainers.image.ref.name"];
    if (name?.includes(":") || name?.includes("@")) add(name, resolve(descriptor));
  }
  const manifest = json("manifest.json") as
    { Config: string; RepoTags?: string[] | null; Layers: string[] }[] | undefined;
  for (const entry of Array.isArray(manifest) ? manifest : []) {
    const found = variant(entry.Config, entry.Layers);
    for (const name of entry.RepoTags ?? []) add(name, found ? [found] : [], found?.platform);
  }
  return [...images.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export const platformsOf = (image: ArchivedImage) =>
  image.variants.map((v) => formatPlatform(v.platform));

/**
 * manifest.json naming each image's `platform` variant: what a classic-store engine reads. The
 * containerd store writes it for its own platform only, so an arm64 laptop on the classic store
 * would otherwise load nothing from a bundle written on an amd64 one.
 */
export function compatManifest(images: ArchivedImage[], platform: Platform): string {
  return JSON.stringify(
    images.flatMap((image) => {
      const found = image.variants.find((v) => samePlatform(v.platform, platform));
      return found ? [{ Config: found.config, RepoTags: [image.name], Layers: found.layers }] : [];
    }),
  );
}

/** A tar entry's name as `docker save` writes it (a tar made by hand may add "./"). */
const entryName = (name: string) => name.replace(/^\.\//, "");

/** Where a tar stream is written to be read (tar-stream's streams are streamx ones, not node's). */
export interface TarInput {
  write(chunk: Buffer): boolean;
  once(event: "drain", listener: () => void): unknown;
  end(data?: unknown): unknown;
  destroy(error?: Error): unknown;
}

/** Reads a tar stream written to `input`; `files` settles with what it held once it ends. */
export function archiveReader(): { input: TarInput; files: Promise<ArchiveFiles> } {
  const tar = extract();
  const files: ArchiveFiles = new Map();
  tar.on("entry", (header, content, next) => {
    const keep = header.type === "file" && header.size < KEEP_BELOW;
    const chunks: Buffer[] = [];
    content.on("data", (chunk: unknown) => {
      if (keep) chunks.push(chunk as Buffer);
    });
    content.on("end", () => {
      if (header.type === "file")
        files.set(entryName(header.name), keep ? Buffer.concat(chunks) : undefined);
      next();
    });
  });
  const done = new Promise<ArchiveFiles>((resolve, reject) => {
    tar.on("finish", () => {
      resolve(files);
    });
    tar.on("error", reject);
  });
  return { input: tar, files: done };
}

/** Passes a stream through unchanged while `reader` reads it too (one pass, two uses). */
export function tee(reader: TarInput): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (reader.write(chunk)) callback(null, chunk);
      else
        reader.once("drain", () => {
          callback(null, chunk);
        });
    },
    flush(callback) {
      reader.end();
      callback();
    },
  });
}

/** The archive's bytes as a tar stream, gunzipped when it starts with gzip's magic number. */
export async function openTar(path: string, ...through: Transform[]): Promise<Readable> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(path, { start: 0, end: 1 })
      .on("data", (c) => chunks.push(Buffer.from(c)))
      .on("end", () => {
        resolve(Buffer.concat(chunks));
      })
      .on("error", reject);
  });
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let stream: Readable = createReadStream(path);
  for (const step of through) stream = stream.pipe(step);
  return gzip ? stream.pipe(createGunzip()) : stream;
}

/** Whether the file starts as a tar archive does (gzipped or not): "ustar" at byte 257. */
export async function looksLikeTar(path: string): Promise<boolean> {
  const stream = await openTar(path);
  let head = Buffer.alloc(0);
  for await (const chunk of stream) {
    head = Buffer.concat([head, chunk as Buffer]);
    if (head.length >= 262) break;
  }
  stream.destroy();
  return head.subarray(257, 262).toString("latin1") === "ustar";
}

export async function readArchive(path: string, ...through: Transform[]): Promise<ArchiveFiles> {
  const reader = archiveReader();
  const source = await openTar(path, ...through);
  source.on("error", (error) => reader.input.destroy(error));
  source.pipe(reader.input as unknown as NodeJS.WritableStream);
  return reader.files;
}

/** The archive as a tar stream with manifest.json replaced (the rest byte for byte). */
export async function withManifest(
  path: string,
  manifest: string,
  ...through: Transform[]
): Promise<Readable> {
  const tar = extract();
  const out = pack();
  let replaced = false;
  tar.on("entry", (header, content, next) => {
    if (entryName(header.name) === "manifest.json") {
      replaced = true;
      content.resume();
      content.on("end", () => {
        out.entry({ ...header, size: Buffer.byteLength(manifest) }, manifest, next);
      });
      return;
    }
    content.pipe(out.entry(header, next));
  });
  tar.on("finish", () => {
    if (!replaced) out.entry({ name: "manifest.json" }, manifest);
    out.finalize();
  });
  tar.on("error", (error) => {
    out.destroy(error);
  });
  (await openTar(path, ...through))
    .on("error", (error) => {
      out.destroy(error);
    })
    .pipe(tar);
  return out as unknown as Readable;
}

/** Counts the bytes going through, reporting at most every 1% (so CI logs stay short). */
export function counter(total: number, report: (done: number) => void) {
  let done = 0;
  let reported = -1;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
      if (percent !== reported) {
        reported = percent;
        report(done);
      }
      callback(null, chunk);
    },
    flush(callback) {
      report(done);
      callback();
    },
  });
}
