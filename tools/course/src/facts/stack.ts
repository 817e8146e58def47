import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { STACK } from "@course/stack";
import type { StackExercise } from "../catalogue.ts";
import { firstError } from "../lib/build.ts";
import { type CheckOptions, refuseImageOptions, runId } from "../lib/check-options.ts";
import { track } from "../lib/cleanup.ts";
import { blockerOf, type Gathered } from "../lib/contract.ts";
import { docker, engineAddress, imageExists } from "../lib/docker.ts";
import { CouldNotCheck, errorMessage } from "../lib/errors.ts";
import { inRepo, shown, userCwd } from "../lib/paths.ts";
import {
  buildStackImages,
  deployStack,
  joinSwarm,
  leaveSwarm,
  removeImages,
  removeStack,
  stackImage,
  swarmState,
  waitFor,
} from "../lib/swarm.ts";
import { outputLines, runTasks } from "../lib/tasks.ts";
import { deployedFacts } from "./stack-engine.ts";
import {
  type DeployedService,
  type DeployFacts,
  readStack,
  type StackFacts,
} from "./stack-types.ts";

// The facts of exercise 6: read the trainee's stack file, then deploy it for real on a single-node swarm
// (this engine's, or one made for the check and left again) under a stack name of this run's own,
// with the course's images built for it; wait for every replica to be healthy, read the services
// as swarm runs them from the Engine API, then remove the stack, whatever happened.

/** Every stack a check deploys is named so; the suffix is this run's own. */
export const STACK_PREFIX = "course-check-6-";

function stackFile(exercise: StackExercise, file: string | undefined) {
  const path = file ? resolve(userCwd, file) : inRepo(exercise.file);
  if (!existsSync(path))
    throw new CouldNotCheck(
      file
        ? `there is no stack file at ${shown(path)}.`
        : `there is no stack file: write ${exercise.file}, or name one with --file.`,
    );
  return path;
}

/** The images the file names once TAG is this run's tag (other variables at their defaults). */
function namedImages(facts: StackFacts, tag: string) {
  return Object.values(facts.services).flatMap((service) =>
    service.image === undefined
      ? []
      : [
          service.image
            .replace(/\$\{TAG(:?-[^}]*)?\}|\$TAG\b/g, tag)
            .replace(/\$\{\w+:?-([^}]*)\}/g, "$1"),
        ],
  );
}

const allHealthy = (services: Record<string, DeployedService>) =>
  Object.values(services).every((s) => s.running >= s.replicas && s.healthy >= s.replicas);

/** Why the stack cannot be deployed here, or undefined when it can. */
async function deployProblem(
  exercise: StackExercise,
  facts: StackFacts,
): Promise<DeployFacts | undefined> {
  const blocker = blockerOf(exercise.rules, facts);
  if (blocker) return { state: "not-run", reason: `${blocker} failed`, blockedBy: blocker };
  try {
    await docker.ping();
  } catch (error) {
    return {
      state: "not-run",
      reason: `no Docker engine answers at ${await engineAddress()} (${errorMessage(error)})`,
    };
  }
  const state = await swarmState();
  if (state !== "active" && state !== "inactive")
    return { state: "not-run", reason: `this engine's swarm is ${state}` };
  return undefined;
}

export async function gather(
  exercise: StackExercise,
  options: CheckOptions,
): Promise<Gathered<StackFacts>> {
  refuseImageOptions(exercise, options);
  return { facts: await deploy(exercise, options), image: {} };
}

async function deploy(exercise: StackExercise, options: CheckOptions): Promise<StackFacts> {
  const path = stackFile(exercise, options.file);
  const facts: StackFacts = { ...readStack(path), file: shown(path) };
  const problem = await deployProblem(exercise, facts);
  if (problem) return { ...facts, deploy: problem };

  const stack = options.tag ?? `${STACK_PREFIX}${runId()}`;
  const tag = stack;
  const images = namedImages(facts, tag);
  const ours = STACK.filter((s) => images.includes(stackImage(s.name, tag)));
  const theirs = images.filter((image) => !image.endsWith(`:${tag}`));
  const missing: string[] = [];
  for (const image of theirs) if (!(await imageExists(image))) missing.push(image);
  if (missing.length)
    return {
      ...facts,
      deploy: {
        state: "not-run",
        reason: `swarm never builds, and ${missing.join(", ")} is not on this machine: build it first`,
      },
    };

  // Undone in the reverse order: the stack first (its containers hold the images), then the swarm.
  const untrackImages = ours.length ? track(`images:${tag}`, () => removeImages(tag)) : undefined;
  const wasInactive = (await swarmState()) === "inactive";
  const untrackSwarm = wasInactive ? track("swarm", leaveSwarm) : undefined;
  const untrackStack = track(`stack:${stack}`, () => removeStack(stack));
  try {
    const ctx = await runTasks<{ deploy?: DeployFacts }>(
      [
        {
          title: `Build the course's images as ${stackImage("<service>", tag)}`,
          skip: () => ours.length === 0,
          ...outputLines(4),
          task: async (ctx, task) => {
            const built = await buildStackImages(tag, (line) => (task.output = line));
            if (!built.ok) {
              ctx.deploy = {
                state: "failed",
                output: `the ${built.service} image did not build: ${firstError(built.output)}`,
              };
              throw new Error(ctx.deploy.output);
            }
          },
        },
        {
          title: `docker stack deploy -c ${shown(path)} ${stack}`,
          skip: (ctx) => ctx.deploy !== undefined,
          ...outputLines(4),
          task: async (ctx, task) => {
            const started = performance.now();
            if (wasInactive)
              await joinSwarm().catch((error: unknown) => {
                ctx.deploy = { state: "failed", output: errorMessage(error) };
                throw error;
              });
            const result = await deployStack(path, stack, { TAG: tag });
            if (result.code !== 0) {
              ctx.deploy = { state: "failed", output: result.output };
              throw new Error("docker stack deploy failed");
            }
            task.title = `${task.title}: waiting for every replica to be healthy`;
            await waitFor("every replica healthy", options.timeout, async () =>
              allHealthy(await deployedFacts(stack)) ? true : undefined,
            ).catch(() => undefined);
            ctx.deploy = {
              state: "deployed",
              stack,
              seconds: (performance.now() - started) / 1000,
            };
          },
        },
      ],
      {},
      { quiet: options.json },
    );
    const deploy = ctx.deploy ?? { state: "failed", output: "the stack was not deployed" };
    return {
      ...facts,
      deploy,
      ...(deploy.state === "deployed" ? { deployed: await deployedFacts(stack) } : {}),
    };
  } finally {
    await untrackStack();
    await untrackSwarm?.();
    await untrackImages?.();
  }
}
