import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { imageUrl, type ImageArchive } from "@course/room/contract";
import { CouldNotCheck } from "../../lib/errors.ts";
import { networkError } from "../../lib/http.ts";

// One archive from the room's index to a file, resumable: what has arrived is kept in a partial
// file named after the archive's sha256 (so a partial of other content is never continued), the
// rest is asked for with an HTTP Range, and the whole is checked against the index's sha256
// before anything loads it.

/** How long the room may stay silent (no headers, no bytes) before the download gives up. */
const STALL_MS = 30_000;

export interface Download {
  path: string;
  /** Bytes that were already on disk when this download started. */
  resumedFrom: number;
  /** Bytes that came over the network this time. */
  received: number;
}

/** An archive name from the index as a file name: no folders, nothing hidden. */
function fileName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes(".."))
    throw new CouldNotCheck(`the room's index names an archive "${name}" that is not a file name.`);
  return name;
}

/** Where the bytes of an unfinished download wait: named after the content they are part of. */
export const partialPath = (dir: string, archive: ImageArchive) =>
  join(dir, `${fileName(archive.name)}.${archive.sha256.slice(0, 16)}.part`);

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function hashFile(path: string, hash = createHash("sha256")) {
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
  return hash;
}

/** Aborts when nothing has happened for STALL_MS; each sign of life rearms it. */
function stallGuard() {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      controller.abort(new Error(`the room sent nothing for ${String(STALL_MS / 1000)} s`));
    }, STALL_MS);
  };
  alive();
  return {
    signal: controller.signal,
    alive,
    stop: () => {
      clearTimeout(timer);
    },
  };
}

export async function downloadArchive(
  room: string,
  archive: ImageArchive,
  dir: string,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<Download> {
  const target = join(dir, fileName(archive.name));
  const partial = partialPath(dir, archive);
  await mkdir(dir, { recursive: true });

  if ((await sizeOf(target)) === archive.size) {
    if ((await hashFile(target)).digest("hex") === archive.sha256) {
      progress(archive.size, archive.size);
      return { path: target, resumedFrom: archive.size, received: 0 };
    }
    await rm(target, { force: true });
  }

  let have = (await sizeOf(partial)) ?? 0;
  if (have > archive.size) {
    await rm(partial, { force: true });
    have = 0;
  }
  const guard = stallGuard();
  let response: Response;
  try {
    response = await fetch(`${room}${imageUrl(archive.name)}`, {
      headers: have > 0 ? { range: `bytes=${String(have)}-` } : {},
      signal: guard.signal,
    });
  } catch (error) {
    guard.stop();
    throw new CouldNotCheck(`no room answers at ${room} (${networkError(error)}).`);
  }
  const hash = createHash("sha256");
  if (response.status === 206 && have > 0) {
    const start = /^bytes (\d+)-/.exec(response.headers.get("content-range") ?? "")?.[1];
    if (Number(start) !== have) {
      guard.stop();
      await response.body?.cancel();
      throw new CouldNotCheck(`the room sent the wrong part of ${archive.name}; run again.`);
    }
    await hashFile(partial, hash);
  } else if (response.status === 416 && have === archive.size) {
    await hashFile(partial, hash);
  } else if (response.status === 200) {
    have = 0;
  } else {
    guard.stop();
    await response.body?.cancel();
    throw new CouldNotCheck(
      `the room did not send ${archive.name}: ${String(response.status)} ${response.statusText}.`,
    );
  }

  let done = have;
  progress(done, archive.size);
  if (response.status !== 416 && response.body) {
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        guard.alive();
        hash.update(chunk);
        done += chunk.length;
        progress(done, archive.size);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(response.body),
        counting,
        createWriteStream(partial, { flags: have > 0 ? "a" : "w" }),
      );
    } catch (error) {
      throw new CouldNotCheck(
        `the download of ${archive.name} stopped at ${String(done)} of ${String(archive.size)} bytes (${networkError(error)}); run the same command again to continue.`,
      );
    } finally {
      guard.stop();
    }
  } else {
    guard.stop();
  }

  const digest = hash.digest("hex");
  if (done !== archive.size || digest !== archive.sha256) {
    await rm(partial, { force: true });
    throw new CouldNotCheck(
      `${archive.name} is not what the room's index says (${String(done)} bytes, sha256 ${digest.slice(0, 12)}…, expected ${String(archive.size)} bytes, ${archive.sha256.slice(0, 12)}…): it was deleted and not loaded; run again.`,
    );
  }
  await rename(partial, target);
  return { path: target, resumedFrom: have, received: done - have };
}
