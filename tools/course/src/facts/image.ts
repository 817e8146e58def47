import { existsSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type ImageExercise, readmeOf } from "../catalogue.ts";
import { build, type BuildResult, buildHint, firstError } from "../lib/build.ts";
import type { CheckOptions } from "../lib/check-options.ts";
import { runId } from "../lib/check-options.ts";
import { track } from "../lib/cleanup.ts";
import type { Gathered } from "../lib/contract.ts";
import { docker, requireEngine } from "../lib/docker.ts";
import { CouldNotCheck, errorMessage } from "../lib/errors.ts";
import { inRepo, shown, userCwd } from "../lib/paths.ts";
import { readResults, saveResult } from "../lib/results.ts";
import { outputLines, runTasks } from "../lib/tasks.ts";
import { readStages, type Stages } from "./dockerfile.ts";
import type { FactsInput, ImageFacts } from "./image-types.ts";
import { logExcerpt } from "../lib/log.ts";
import { readImage } from "./layers-read.ts";
import { inspectImage, runAndProbe } from "./probe.ts";
import { toRecording } from "./recording.ts";
import { summarise } from "./summary.ts";

// The facts of an image exercise: build the trainee's Dockerfile under a tag of this run's own,
// read the image, run it and probe it. Once judged, the image keeps its stable name and its size
// is recorded for the next exercises.

function locate(exercise: ImageExercise, options: CheckOptions) {
  const dockerfile = options.file ? resolve(userCwd, options.file) : inRepo(exercise.file);
  const context = options.context
    ? resolve(userCwd, options.context)
    : options.file
      ? inRepo(exercise.context)
      : resolve(dockerfile, "..");
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile())
    throw new CouldNotCheck(
      `there is no Dockerfile at ${shown(dockerfile)}. Write it first (${readmeOf(exercise)}), or name it with --file.`,
    );
  if (!existsSync(context) || !statSync(context).isDirectory())
    throw new CouldNotCheck(`the build context ${shown(context)} is not a directory.`);
  return { dockerfile, context };
}

interface Ctx {
  build?: BuildResult;
  input?: FactsInput;
  /** Removes this run's own tag (also on Ctrl-C, and when the run stops half-way). */
  untag?: () => Promise<void>;
}

const untag = (tag: string) =>
  track(`image:${tag}`, async () => {
    await docker
      .getImage(tag)
      .remove({ noprune: true })
      .catch(() => undefined);
  });

/** The name the trainee's latest checked image keeps, for `docker run` and `course sizes`. */
export const stableTag = (exercise: ImageExercise) => `course-check:ex${String(exercise.number)}`;

async function readDockerfileStages(dockerfile: string): Promise<Stages | undefined> {
  try {
    return readStages(await readFile(dockerfile, "utf8"), process.env);
  } catch {
    return undefined;
  }
}

export async function gather(
  exercise: ImageExercise,
  options: CheckOptions,
): Promise<Gathered<ImageFacts>> {
  const { dockerfile, context } = locate(exercise, options);
  await requireEngine();
  const tag = options.tag ?? `course-check:ex${String(exercise.number)}-${runId()}`;
  const stages = await readDockerfileStages(dockerfile);
  const labels = { "course.exercise": String(exercise.number) };

  const ctx = await runTasks<Ctx>(
    [
      {
        title: `Build ${shown(dockerfile)} (context ${shown(context)})`,
        ...outputLines(6),
        task: async (ctx, task) => {
          ctx.build = await build({
            dockerfile,
            context,
            tag,
            labels,
            ...(options.platform ? { platform: options.platform } : {}),
            onLine: (line) => (task.output = line),
          });
          if (!ctx.build.ok) throw new Error(`the build failed: ${firstError(ctx.build.output)}`);
          if (options.tag === undefined) ctx.untag = untag(tag);
          task.title = `Built ${tag} in ${ctx.build.seconds.toFixed(1)} s`;
        },
      },
      {
        title: "Run the image and probe it",
        ...outputLines(1),
        skip: (ctx) => ctx.build?.ok !== true,
        task: async (ctx, task) => {
          const image = await inspectImage(ctx.build?.imageId ?? tag);
          // The image's files and layers stream from the engine while the container starts.
          const [read, run] = await Promise.allSettled([
            readImage(image.id, image.config.workingDir),
            runAndProbe({
              image: image.id,
              labels,
              timeoutSeconds: options.timeout,
              ...(options.platform ? { platform: options.platform } : {}),
              onStatus: (text) => (task.output = text),
            }),
          ]);
          if (run.status === "rejected") throw run.reason;
          if (read.status === "rejected")
            throw new CouldNotCheck(
              `the image's layers could not be read from the engine (docker save): ${errorMessage(read.reason)}`,
            );
          const { fs, layers } = read.value;
          // Sizes are compared with earlier exercises' passing images only.
          const previous = (await readResults()).filter(
            (r) => r.exercise !== exercise.number && r.passed,
          );
          ctx.input = {
            exercise: exercise.number,
            image: { tag, ...image },
            ...(stages ? { stages } : {}),
            fs,
            run: run.value,
            previous,
            layers,
          };
        },
      },
    ],
    {},
    { quiet: options.json },
  );

  const built = ctx.build;
  if (built === undefined) throw new CouldNotCheck("docker build could not be started.");
  const build_ = {
    ok: built.ok,
    seconds: built.seconds,
    error: built.ok ? "" : firstError(built.output),
    hint: built.ok ? "" : buildHint(built.output),
  };
  if (!built.ok || ctx.input === undefined) {
    return {
      facts: { build: build_ },
      image: { tag },
      ...(built.ok
        ? {}
        : {
            log: {
              title: "Build output",
              lines: built.output
                .split("\n")
                .filter((l) => l.trim())
                .slice(-15),
            },
          }),
    };
  }

  if (options.saveFacts) await saveFacts(options.saveFacts, ctx.input);
  const facts = summarise(ctx.input);
  const { run } = facts;
  const image = {
    id: facts.image.id,
    size: facts.image.size,
    ...(facts.image.platform ? { platform: facts.image.platform } : {}),
    user: `uid ${String(facts.user.uid)}${facts.user.name ? ` (${facts.user.name})` : ""}`,
  };
  const untagOwn = ctx.untag;
  return {
    facts: { build: build_, image: facts },
    image: { tag, ...image },
    ...(!run.docs.ok && run.logTail.length
      ? { log: { title: "Container log", lines: logExcerpt(run.logTail) } }
      : {}),
    settle: async (passed) => {
      const kept = await keep(exercise, tag, untagOwn);
      await saveResult({
        exercise: exercise.number,
        tag: kept,
        id: image.id,
        size: image.size,
        passed,
        checkedAt: new Date().toISOString(),
      });
      return { tag: kept, ...image };
    },
  };
}

/**
 * Gives the checked image its stable name (the last check of an exercise wins) and drops this
 * run's own tag; a tag the user chose stays as it is.
 */
async function keep(exercise: ImageExercise, tag: string, untagOwn?: () => Promise<void>) {
  if (untagOwn === undefined) return tag;
  const [repo = "", version = "latest"] = stableTag(exercise).split(":");
  await docker.getImage(tag).tag({ repo, tag: version });
  await untagOwn();
  return stableTag(exercise);
}

/** Writes what the checks read, with the filesystem as a listing, for tests and bug reports. */
async function saveFacts(file: string, input: FactsInput) {
  await writeFile(resolve(userCwd, file), `${JSON.stringify(toRecording(input), null, 1)}\n`);
}
