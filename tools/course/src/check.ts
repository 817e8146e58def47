import { existsSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { build, type BuildResult, buildHint, firstError } from "./build.ts";
import { readStages, type Stages } from "./dockerfile.ts";
import { CouldNotCheck, repoRoot, requireEngine, userCwd } from "./engine.ts";
import { type Check, evaluate, logExcerpt } from "./exercises.ts";
import { type FactsInput, summarise, toRecording } from "./facts.ts";
import { inspectImage, runAndProbe } from "./probe.ts";
import type { Report } from "./report.ts";
import { readResults, saveResult } from "./results.ts";
import { outputLines, runTasks } from "./tasks.ts";

// `course check 1..4`: build the trainee's Dockerfile, read the image, run it, probe it, and
// judge the exercise's lesson from what was found.

export interface CheckOptions {
  exercise: number;
  file?: string;
  context?: string;
  json: boolean;
  timeout: number;
  tag?: string;
  saveFacts?: string;
}

export const shown = (path: string) => relative(userCwd, path) || ".";

function locate(options: CheckOptions) {
  const dockerfile = options.file
    ? resolve(userCwd, options.file)
    : resolve(repoRoot, "api/Dockerfile");
  const context = options.context
    ? resolve(userCwd, options.context)
    : options.file
      ? resolve(repoRoot, "api")
      : resolve(dockerfile, "..");
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile())
    throw new CouldNotCheck(
      `there is no Dockerfile at ${shown(dockerfile)}. Write it first (exercises/0${String(options.exercise)}-*/README.md), or name it with --file.`,
    );
  if (!existsSync(context) || !statSync(context).isDirectory())
    throw new CouldNotCheck(`the build context ${shown(context)} is not a directory.`);
  return { dockerfile, context };
}

interface Ctx {
  build?: BuildResult;
  input?: FactsInput;
}

export async function checkImage(options: CheckOptions): Promise<Report> {
  const { dockerfile, context } = locate(options);
  await requireEngine();
  const tag = options.tag ?? `course-check:ex${String(options.exercise)}`;
  let stages: Stages | undefined;
  try {
    stages = readStages(await readFile(dockerfile, "utf8"), process.env);
  } catch {
    stages = undefined;
  }
  const labels = { "course.exercise": String(options.exercise) };

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
            onLine: (line) => (task.output = line),
          });
          if (!ctx.build.ok) throw new Error(`the build failed: ${firstError(ctx.build.output)}`);
          task.title = `Built ${tag} in ${ctx.build.seconds.toFixed(1)} s`;
        },
      },
      {
        title: "Run the image and probe it",
        ...outputLines(1),
        skip: (ctx) => ctx.build?.ok !== true,
        task: async (ctx, task) => {
          const image = await inspectImage(ctx.build?.imageId ?? tag);
          const { fs, run } = await runAndProbe({
            image: image.id,
            labels,
            timeoutSeconds: options.timeout,
            onStatus: (text) => (task.output = text),
          });
          const previous = (await readResults()).filter((r) => r.exercise !== options.exercise);
          ctx.input = {
            exercise: options.exercise,
            image: { tag, ...image },
            ...(stages ? { stages } : {}),
            fs,
            run,
            previous,
          };
        },
      },
    ],
    {},
    { quiet: options.json },
  );

  const built = ctx.build;
  if (built === undefined) throw new CouldNotCheck("docker build could not be started.");
  const buildCheck: Check = {
    id: "build",
    title: "the image builds",
    passed: built.ok,
    found: built.ok ? `built in ${built.seconds.toFixed(1)} s` : firstError(built.output),
    expected: "docker build succeeds",
    hint: built.ok ? "" : buildHint(built.output),
  };
  if (!built.ok || ctx.input === undefined) {
    return {
      exercise: options.exercise,
      passed: false,
      checks: [buildCheck],
      image: { tag },
      ...(built.ok
        ? {}
        : {
            log: built.output
              .split("\n")
              .filter((l) => l.trim())
              .slice(-15),
          }),
    };
  }

  if (options.saveFacts) await saveFacts(options.saveFacts, ctx.input);
  const facts = summarise(ctx.input);
  const checks = [buildCheck, ...evaluate(facts)];
  const passed = checks.every((c) => c.passed);
  await saveResult({
    exercise: options.exercise,
    tag,
    id: facts.image.id,
    size: facts.image.size,
    passed,
    checkedAt: new Date().toISOString(),
  });
  const runFailed = checks.some(
    (c) => !c.passed && ["docs-answers", "launcher-starts"].includes(c.id),
  );
  return {
    exercise: options.exercise,
    passed,
    checks,
    image: {
      tag,
      id: facts.image.id,
      size: facts.image.size,
      user: `uid ${String(facts.user.uid)}${facts.user.name ? ` (${facts.user.name})` : ""}`,
    },
    ...(runFailed && facts.run.logTail.length ? { log: logExcerpt(facts.run.logTail) } : {}),
  };
}

/** Writes what the checks read, with the filesystem as a listing, for tests and bug reports. */
async function saveFacts(file: string, input: FactsInput) {
  await writeFile(resolve(userCwd, file), `${JSON.stringify(toRecording(input), null, 1)}\n`);
}
