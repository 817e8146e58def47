import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { CLASS_IMAGES, classImages } from "../../class-images.ts";
import { docker, imageExists, requireEngine } from "../../lib/docker.ts";
import { CouldNotCheck } from "../../lib/errors.ts";
import { formatSize, progressBar } from "../../lib/format.ts";
import { userCwd } from "../../lib/paths.ts";
import { pull } from "../../lib/pull.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";

// `course images save|load`: every image the class needs, pulled once by the trainer and written
// into one archive, then loaded on each laptop, so that a room behind one address does not hit
// Docker Hub's pull limit. The archive is what `docker save` writes (gzip when the name ends .gz).
// `course images list` prints that list: the class image catalogue.

/** The catalogue, one image a line: its name, where the day uses it, and its local stand-in. */
export function listImages(options: { json: boolean }): number {
  const rows = CLASS_IMAGES.map((image) => {
    const standIn = image.variable ? process.env[image.variable] : undefined;
    return {
      name: image.name,
      use: image.use,
      ...(image.variable ? { variable: image.variable } : {}),
      ...(standIn && standIn !== image.name ? { standIn } : {}),
    };
  });
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const here = row.standIn ? ` (here ${row.variable ?? ""}=${row.standIn})` : "";
    console.log(`${row.name.padEnd(width)}  ${row.use}${here}`);
  }
  return 0;
}

/** `docker save` of several images as one stream (dockerode has no types for it). */
function exportImages(names: string[]): Promise<Readable> {
  const api = docker as unknown as { getImages(options: { names: string[] }): Promise<Readable> };
  return api.getImages({ names });
}

/** Counts the bytes going through, reporting at most every 1% (so CI logs stay short). */
function counter(total: number, report: (done: number) => void) {
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

export async function saveImages(
  file: string,
  options: { pull: boolean; images?: string[]; quiet?: boolean },
): Promise<number> {
  await requireEngine();
  const images = options.images?.length ? options.images : classImages();
  const target = resolve(userCwd, file);
  await runTasks(
    [
      ...images.map((image) => ({
        title: options.pull ? `Pull ${image}` : `Find ${image}`,
        ...outputLines(1),
        task: async (_: object, task: { output: string }) => {
          if (options.pull) await pull(image, (line) => (task.output = line));
          else if (!(await imageExists(image)))
            throw new CouldNotCheck(`${image} is not on this machine; pull it, or drop --no-pull.`);
        },
      })),
    ],
    {},
    { quiet: options.quiet ?? false },
  );
  const missing: string[] = [];
  for (const image of images) if (!(await imageExists(image))) missing.push(image);
  if (missing.length) throw new CouldNotCheck(`not on this machine: ${missing.join(", ")}`);

  let total = 0;
  for (const image of images) total += (await docker.getImage(image).inspect()).Size;
  await runTasks(
    [
      {
        title: `Write ${images.length} images to ${file}`,
        ...outputLines(1),
        task: async (_, task) => {
          const source = await exportImages(images);
          const progress = counter(total, (done) => (task.output = progressBar(done, total)));
          const sink = createWriteStream(target);
          await (/\.(t?gz)$/.test(target)
            ? pipeline(source, progress, createGzip({ level: 1 }), sink)
            : pipeline(source, progress, sink));
          task.title = `Wrote ${images.length} images to ${file} (${formatSize((await stat(target)).size)})`;
        },
      },
    ],
    {},
    { quiet: options.quiet ?? false },
  );
  return 0;
}

export async function loadImages(file: string, options: { quiet?: boolean } = {}) {
  const source = resolve(userCwd, file);
  let size: number;
  try {
    size = (await stat(source)).size;
  } catch {
    throw new CouldNotCheck(`there is no archive at ${file}.`);
  }
  await requireEngine();
  const loaded: string[] = [];
  const ctx = await runTasks<{ error?: string }>(
    [
      {
        title: `Load ${file}`,
        ...outputLines(1),
        task: async (ctx, task) => {
          const progress = counter(size, (done) => (task.output = progressBar(done, size)));
          const input = createReadStream(source).pipe(progress);
          const response = await docker.loadImage(input, { quiet: true });
          let text = "";
          for await (const chunk of response) text += String(chunk);
          for (const line of text.split("\n").filter(Boolean)) {
            const message = JSON.parse(line) as { stream?: string; error?: string };
            if (message.error) ctx.error = message.error;
            const name = /Loaded image(?: ID)?: (\S+)/.exec(message.stream ?? "")?.[1];
            if (name) loaded.push(name);
          }
          if (ctx.error) throw new Error(ctx.error);
          task.title = `Loaded ${String(loaded.length)} images from ${file}`;
        },
      },
    ],
    {},
    { quiet: options.quiet ?? false },
  );
  if (ctx.error) {
    console.error(`Could not load ${file}: ${ctx.error}`);
    return 1;
  }
  for (const name of loaded) console.log(`  ${name}`);
  return 0;
}
