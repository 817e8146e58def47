import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  ImageIndex,
  ROOM_ROUTES,
  type ImageArchive,
  type ImagesLoadedBody,
} from "@course/room/contract";
import { Value } from "typebox/value";
import { docker, requireEngine } from "../../lib/docker.ts";
import { CouldNotCheck } from "../../lib/errors.ts";
import { progressBar } from "../../lib/format.ts";
import { fetchWithin, networkError } from "../../lib/http.ts";
import { stateDir, userCwd } from "../../lib/paths.ts";
import { roomAddress, tellRoom } from "../../lib/room-client.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";
import { downloadArchive } from "./download.ts";
import { loadImages } from "./index.ts";

// `course images load <room address>`: the class images from the trainer's laptop instead of a
// USB stick. The room's index lists its archives with their sizes and sha256; each one meant for
// this engine's platform is downloaded (resumed if an earlier download stopped), verified, loaded
// like an archive file, and the room is told, so that the trainer's page shows who has them.

const INDEX_TIMEOUT_MS = 5000;

/** An address, not a file: `http://…`, or `host:port` where no such file exists. */
export const isRoomAddress = (source: string) =>
  /^https?:\/\//i.test(source) ||
  (/^[A-Za-z0-9.-]+:\d+\/?$/.test(source) && !existsSync(resolve(userCwd, source)));

export const downloadsDir = () => join(stateDir(), "images");

async function roomIndex(room: string): Promise<ImageArchive[]> {
  let answer: Awaited<ReturnType<typeof fetchWithin>>;
  try {
    answer = await fetchWithin(`${room}${ROOM_ROUTES.images}`, INDEX_TIMEOUT_MS);
  } catch (error) {
    throw new CouldNotCheck(`no room answers at ${room} (${networkError(error)}).`);
  }
  let index: unknown;
  try {
    index = JSON.parse(answer.body);
  } catch {
    index = undefined;
  }
  if (!answer.response.ok || !Value.Check(ImageIndex, index))
    throw new CouldNotCheck(`${room} did not answer with a room's image index.`);
  return index.archives;
}

/** The archives for this platform: those that name it, and those that name none. */
export function archivesFor(archives: ImageArchive[], platform: string) {
  return archives.filter((a) => !a.platforms?.length || a.platforms.includes(platform));
}

export async function loadFromRoom(
  address: string,
  options: { images?: string[]; quiet?: boolean } = {},
) {
  const room = roomAddress(address);
  const archives = await roomIndex(room);
  await requireEngine();
  const version = await docker.version();
  const platform = `${version.Os}/${version.Arch}`;
  const wanted = archivesFor(archives, platform);
  if (wanted.length === 0)
    throw new CouldNotCheck(
      archives.length === 0
        ? `the room at ${room} serves no images (the trainer starts it with --images <archive>).`
        : `the room at ${room} has no archive for ${platform}: ${archives.map((a) => a.name).join(", ")}.`,
    );
  for (const archive of wanted) {
    const ctx = await runTasks<{ path?: string; error?: unknown }>(
      [
        {
          title: `Download ${archive.name} from ${room}`,
          ...outputLines(1),
          task: async (ctx, task) => {
            let shown = -1;
            const download = await downloadArchive(room, archive, downloadsDir(), (done, total) => {
              const percent = Math.floor((done / Math.max(total, 1)) * 100);
              if (percent === shown) return;
              shown = percent;
              task.output = progressBar(done, total);
            }).catch((error: unknown) => {
              ctx.error = error;
              throw error;
            });
            ctx.path = download.path;
            task.title =
              download.received === 0
                ? `${archive.name}: already downloaded, sha256 verified`
                : `Downloaded ${archive.name}${download.resumedFrom ? " (resumed)" : ""}, sha256 verified`;
          },
        },
      ],
      {},
      { quiet: options.quiet ?? false },
    );
    if (ctx.error !== undefined || ctx.path === undefined) throw ctx.error;
    const status = await loadImages(ctx.path, options);
    if (status !== 0) return status;
    const told = await tellRoom(room, ROOM_ROUTES.imagesLoaded, {
      archive: archive.name,
      sha256: archive.sha256,
      platform,
    } satisfies ImagesLoadedBody);
    if (told !== "told")
      console.log(
        told === "not joined"
          ? "  Join the room (`npx course room join …`, as on the board) and the trainer's page shows you have them."
          : "  The room was not told that they are loaded (it did not answer).",
      );
  }
  return 0;
}
