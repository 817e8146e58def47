import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { STACK } from "@course/stack";
import type { StackExercise } from "../../catalogue.ts";
import {
  type DeployedService,
  type DeployFacts,
  readStack,
  type StackFacts,
} from "../../facts/stack.ts";
import { REQUIRED_TO_DEPLOY } from "../../rules/stack.ts";
import { firstError } from "../../lib/build.ts";
import { track } from "../../lib/cleanup.ts";
import { docker, engineAddress, imageExists } from "../../lib/docker.ts";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { inRepo, shown, userCwd } from "../../lib/paths.ts";
import {
  buildStackImages,
  deployStack,
  joinSwarm,
  leaveSwarm,
  liveTasks,
  removeImages,
  removeStack,
  stackImage,
  swarmState,
  waitFor,
} from "../../lib/swarm.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";
import { type CheckOptions, runId } from "./options.ts";

// `course check 6`: read the trainee's stack file, then deploy it for real on a single-node swarm
// (this engine's, or one made for the check and left again) under a stack name of this run's own,
// with the course's images built for it; wait for every replica to be healthy, read the services
// as swarm runs them from the Engine API, then remove the stack, whatever happened.

/** Every stack a check deploys is named so; the suffix is this run's own. */
export const STACK_PREFIX = "course-check-6-";

const LOCAL_KEY = readFileSync(inRepo("infra/cosmosdb/local-master-key"), "utf8").trim();

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

interface ServiceSpec {
  Name: string;
  Mode?: { Replicated?: { Replicas?: number } };
  UpdateConfig?: { Order?: string; FailureAction?: string };
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Env?: string[];
      Healthcheck?: { Test?: string[] };
      Secrets?: { SecretName: string; File?: { Name: string } }[];
    };
  };
  EndpointSpec?: { Ports?: { TargetPort: number; PublishedPort?: number; PublishMode?: string }[] };
}

async function healthOf(containerId: string | undefined) {
  if (!containerId) return undefined;
  try {
    return (await docker.getContainer(containerId).inspect()).State.Health?.Status ?? "none";
  } catch {
    return undefined;
  }
}

async function imageHealthcheck(image: string): Promise<string[]> {
  try {
    const info = await docker.getImage(image).inspect();
    return (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [];
  } catch {
    return [];
  }
}

async function serviceFacts(stack: string, spec: ServiceSpec): Promise<DeployedService> {
  const container = spec.TaskTemplate.ContainerSpec;
  const tasks = await liveTasks(spec.Name);
  const running = tasks.filter((task) => task.Status.State === "running");
  const health = await Promise.all(
    running.map((task) => healthOf(task.Status.ContainerStatus?.ContainerID)),
  );
  const all = (await docker.listTasks({ filters: { service: [spec.Name] } })) as {
    Status: { Err?: string };
  }[];
  const taskError = all.map((t) => t.Status.Err).find(Boolean);
  const env = Object.fromEntries(
    (container.Env ?? []).map((e) => [e.split("=")[0] ?? "", e.slice(e.indexOf("=") + 1)]),
  );
  const own = container.Healthcheck?.Test ?? [];
  const fromImage = own.length ? [] : await imageHealthcheck(container.Image);
  return {
    name: spec.Name.slice(stack.length + 1),
    replicas: spec.Mode?.Replicated?.Replicas ?? 1,
    running: running.length,
    healthy: health.filter((h) => h === "healthy" || h === "none").length,
    ...(taskError ? { taskError } : {}),
    updateConfig: spec.UpdateConfig ?? {},
    healthcheck: own.length
      ? { source: "service", test: own }
      : fromImage.length
        ? { source: "image", test: fromImage }
        : { source: "none", test: [] },
    secrets: (container.Secrets ?? []).map((s) => ({
      name: s.SecretName,
      file: s.File?.Name ?? "",
    })),
    envNames: Object.keys(env),
    ...(env.COSMOSDB_MASTER_KEY_FILE ? { keyFile: env.COSMOSDB_MASTER_KEY_FILE } : {}),
    keyInEnv:
      Boolean(env.COSMOSDB_MASTER_KEY) || Object.values(env).some((value) => value === LOCAL_KEY),
    published: (spec.EndpointSpec?.Ports ?? []).map((p) => ({
      target: p.TargetPort,
      ...(p.PublishedPort ? { published: p.PublishedPort } : {}),
      ...(p.PublishMode ? { mode: p.PublishMode } : {}),
    })),
  };
}

/** The stack's services as swarm runs them, by the stack file's names. */
async function deployedFacts(stack: string): Promise<Record<string, DeployedService>> {
  const services = await docker.listServices({
    filters: { label: [`com.docker.stack.namespace=${stack}`] },
  });
  const facts = await Promise.all(
    services.map((s) => serviceFacts(stack, s.Spec as unknown as ServiceSpec)),
  );
  return Object.fromEntries(facts.map((f) => [f.name, f]));
}

const allHealthy = (services: Record<string, DeployedService>) =>
  Object.values(services).every((s) => s.running >= s.replicas && s.healthy >= s.replicas);

/** Why the stack cannot be deployed here, or undefined when it can. */
async function deployProblem(
  exercise: StackExercise,
  facts: StackFacts,
): Promise<DeployFacts | undefined> {
  const blocker = exercise.rules
    .map((rule) => rule(facts))
    .find((c) => !c.passed && REQUIRED_TO_DEPLOY.includes(c.id))?.id;
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

export async function checkStack(
  exercise: StackExercise,
  options: CheckOptions,
): Promise<StackFacts> {
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
