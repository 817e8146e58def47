import { createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { classImages } from "../../class-images.ts";
import { track } from "../../lib/cleanup.ts";
import { docker, imageExists, requireEngine } from "../../lib/docker.ts";
import { engineFacts } from "../../lib/engine.ts";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { formatSize, progressBar } from "../../lib/format.ts";
import { userCwd } from "../../lib/paths.ts";
import { formatPlatform, type Platform } from "../../lib/platform.ts";
import { pull } from "../../lib/pull.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";
import { archiveReader, counter, describeArchive, familiar, tee } from "./archive.ts";
import { lacking, planSave } from "./plan.ts";

// `course images save`: every image the class needs, for every platform the room's laptops are,
// in one archive. It is written under a temporary name beside the target and renamed only once it
// is complete and holds every platform asked for: an interrupted or refused save leaves no
// finished-looking archive, and an older archive of the same name stays until the new one is whole.

/** `docker save` of several images as one stream (dockerode has no types for it). */
function exportImages(names: string[], platform?: Platform): Promise<Readable> {
  const api = docker as unknown as {
    getImages(options: { names: string[]; platform?: string }): Promise<Readable>;
  };
  return api.getImages({ names, ...(platform ? { platform: JSON.stringify(platform) } : {}) });
}

export async function saveImages(
  file: string,
  options: { pull: boolean; platforms: Platform[]; images?: string[]; quiet?: boolean },
): Promise<number> {
  await requireEngine();
  const engine = await engineFacts();
  const plan = planSave(engine, options.platforms);
  if (plan.refuse !== undefined) throw new CouldNotCheck(plan.refuse);
  const images = options.images?.length ? options.images : classImages();
  const platforms = options.platforms.map(formatPlatform);
  const target = resolve(userCwd, file);
  const quiet = { quiet: options.quiet ?? false };

  await runTasks(
    images.flatMap((image) =>
      (plan.perPlatformPulls ? platforms : [undefined]).map((platform) => ({
        title: `${options.pull ? "Pull" : "Find"} ${image}${platform ? ` for ${platform}` : ""}`,
        ...outputLines(1),
        task: async (_: object, task: { output: string }) => {
          if (options.pull) await pull(image, (line) => (task.output = line), platform);
          else if (!(await imageExists(image)))
            throw new CouldNotCheck(`${image} is not on this machine; pull it, or drop --no-pull.`);
        },
      })),
    ),
    {},
    quiet,
  );
  const missing: string[] = [];
  for (const image of images) if (!(await imageExists(image))) missing.push(image);
  if (missing.length) throw new CouldNotCheck(`not on this machine: ${missing.join(", ")}`);

  let total = 0;
  for (const image of images) total += (await docker.getImage(image).inspect()).Size;
  const partial = join(dirname(target), `.${basename(target)}.${String(process.pid)}.partial`);
  const forget = track(`file:${partial}`, () => rm(partial, { force: true }));
  const ctx = await runTasks<{ missing?: string[]; error?: string }>(
    [
      {
        title: `Write ${String(images.length)} images for ${platforms.join(", ")} to ${file}`,
        ...outputLines(1),
        task: async (ctx, task) => {
          const source = await exportImages(images, plan.platform).catch((error: unknown) => {
            ctx.error = errorMessage(error);
            throw error;
          });
          const progress = counter(total, (done) => (task.output = progressBar(done, total)));
          const reader = archiveReader();
          const sink = createWriteStream(partial, { flags: "wx" });
          await (
            /\.(t?gz)$/.test(target)
              ? pipeline(source, progress, tee(reader.input), createGzip({ level: 1 }), sink)
              : pipeline(source, progress, tee(reader.input), sink)
          ).catch((error: unknown) => {
            ctx.error = errorMessage(error);
            throw error;
          });
          const held = describeArchive(await reader.files);
          ctx.missing = lacking(held, images.map(familiar), options.platforms);
          if (ctx.missing.length)
            throw new Error(`the archive would lack ${ctx.missing.join(", ")}`);
          await rename(partial, target);
          task.title = `Wrote ${String(images.length)} images for ${platforms.join(", ")} to ${file} (${formatSize((await stat(target)).size)})`;
        },
      },
    ],
    {},
    quiet,
  );
  await forget();
  if (ctx.error) throw new CouldNotCheck(`nothing written: ${ctx.error}`);
  if (ctx.missing?.length)
    throw new CouldNotCheck(
      `nothing written: the engine's export lacks ${ctx.missing.join(", ")}. ` +
        (options.pull
          ? "Pull them for those platforms, then save again."
          : "Pull them for those platforms (or drop --no-pull), then save again."),
    );
  return 0;
}
