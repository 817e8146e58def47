import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { classImages } from "../../class-images.ts";
import { docker, requireEngine } from "../../lib/docker.ts";
import { engineFacts } from "../../lib/engine.ts";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { progressBar } from "../../lib/format.ts";
import { userCwd } from "../../lib/paths.ts";
import { formatPlatform } from "../../lib/platform.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";
import {
  counter,
  describeArchive,
  type ArchivedImage,
  familiar,
  looksLikeTar,
  openTar,
  readArchive,
  withManifest,
} from "./archive.ts";
import { planLoad } from "./plan.ts";

// `course images load`: a local archive into this laptop's engine, its own platform only. The
// archive is read first: images outside the class's list, or without this laptop's platform, are
// named and nothing is loaded. `loadArchive` takes a path, whatever brought the file there.

/** A path that is a readable file, or one line saying what it is instead (exit status 2). */
async function readableFile(path: string, shown: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new CouldNotCheck(`${shown} is a directory: give the archive file inside it.`);
    if (!info.isFile()) throw new CouldNotCheck(`${shown} is not a file.`);
    size = info.size;
    await access(path, constants.R_OK);
  } catch (error) {
    if (error instanceof CouldNotCheck) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CouldNotCheck(
      code === "ENOENT"
        ? `there is no archive at ${shown}.`
        : `cannot read ${shown} (${code ?? errorMessage(error)}).`,
    );
  }
  return size;
}

export async function loadArchive(
  path: string,
  options: { images?: string[]; quiet?: boolean; shown?: string } = {},
): Promise<number> {
  const shown = options.shown ?? path;
  const size = await readableFile(path, shown);
  const tar = await looksLikeTar(path).catch(() => false);
  if (!tar) throw new CouldNotCheck(`${shown} is not an image archive (not a tar file).`);
  const quiet = { quiet: options.quiet ?? false };

  const read = await runTasks<{ images?: ArchivedImage[]; error?: string }>(
    [
      {
        title: `Read ${shown}`,
        ...outputLines(1),
        task: async (ctx, task) => {
          try {
            const files = await readArchive(
              path,
              counter(size, (done) => (task.output = progressBar(done, size))),
            );
            ctx.images = describeArchive(files);
          } catch (error) {
            ctx.error = `${shown} is not an image archive (${errorMessage(error)}).`;
            throw error;
          }
        },
      },
    ],
    {},
    quiet,
  );
  if (read.error || !read.images) throw new CouldNotCheck(read.error ?? `could not read ${shown}.`);
  await requireEngine();
  const engine = await engineFacts();
  const accepted = [...classImages(), ...(options.images ?? [])].map(familiar);
  const plan = planLoad(engine, shown, read.images, accepted);
  if (plan.refuse !== undefined) throw new CouldNotCheck(plan.refuse);

  const platform = formatPlatform(engine.platform);
  const loaded: string[] = [];
  const ctx = await runTasks<{ error?: string }>(
    [
      {
        title: `Load ${shown} (${platform})`,
        ...outputLines(1),
        task: async (ctx, task) => {
          const progress = counter(size, (done) => (task.output = progressBar(done, size)));
          const input: Readable = plan.manifest
            ? await withManifest(path, plan.manifest, progress)
            : await openTar(path, progress);
          const response = await docker.loadImage(input, {
            quiet: true,
            ...(plan.platform ? { platform: JSON.stringify(plan.platform) } : {}),
          });
          let text = "";
          for await (const chunk of response as AsyncIterable<Buffer>) text += String(chunk);
          for (const line of text.split("\n").filter(Boolean)) {
            const message = JSON.parse(line) as { stream?: string; error?: string };
            if (message.error) ctx.error = message.error;
            const name = /Loaded image(?: ID)?: (\S+)/.exec(message.stream ?? "")?.[1];
            if (name) loaded.push(familiar(name));
          }
          const absent = plan.names.filter((name) => !loaded.includes(name));
          if (!ctx.error && absent.length)
            ctx.error = `the engine loaded no ${platform} image of ${absent.join(", ")}`;
          if (ctx.error) throw new Error(ctx.error);
          task.title = `Loaded ${String(loaded.length)} images for ${platform} from ${shown}`;
        },
      },
    ],
    {},
    quiet,
  );
  if (ctx.error) {
    console.error(`Could not load ${shown}: ${ctx.error}`);
    return 1;
  }
  for (const name of loaded) console.log(`  ${name}`);
  return 0;
}

/** `course images load <file>`: a path as the user typed it, from where they typed it. */
export function loadImages(file: string, options: { images?: string[]; quiet?: boolean } = {}) {
  return loadArchive(resolve(userCwd, file), { ...options, shown: file });
}
