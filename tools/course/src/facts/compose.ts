import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ComposeExercise } from "../catalogue.ts";
import { type CheckOptions, refuseImageOptions, runId } from "../lib/check-options.ts";
import { track } from "../lib/cleanup.ts";
import { blockerOf, type Gathered, type ReportImage } from "../lib/contract.ts";
import { BASE_IMAGE_VARIABLES, baseImages, docker, requireEngine } from "../lib/docker.ts";
import { CouldNotCheck } from "../lib/errors.ts";
import { inRepo, shown, userCwd } from "../lib/paths.ts";
import { platformOfImage } from "../lib/platform.ts";
import { busyPorts, describeBusy, freeingCommands } from "../lib/ports.ts";
import { runCommand, succeeded } from "../lib/process.ts";
import { refuseTakenName } from "../lib/projects.ts";
import { outputLines, runTasks } from "../lib/tasks.ts";
import { containerOf, dockerfileFacts, employeeFacts, partitionOf } from "./compose-engine.ts";
import { callRoutes, createWithParentDown } from "./compose-http.ts";
import {
  type ComposeConfig,
  type ComposeFacts,
  EMPLOYEE_PORT,
  EMPLOYEE_SERVICE,
  PARENT,
} from "./compose-types.ts";

// The facts of exercise 5: read the trainee's compose file as compose resolves it; when the rules
// judged before a start pass, start the stack under a project name of this run's own, inspect the
// employee container, call the employee routes as the README does, then take everything down
// again, whatever happened.

/** Every compose project a check starts is named so; the suffix is this run's own. */
export const PROJECT_PREFIX = "course-check-5-";

function composeFile(exercise: ComposeExercise, file: string | undefined) {
  if (file) {
    const path = resolve(userCwd, file);
    if (!existsSync(path)) throw new CouldNotCheck(`there is no compose file at ${shown(path)}.`);
    return path;
  }
  const found = [exercise.file, exercise.fallback].map(inRepo).find((path) => existsSync(path));
  if (found === undefined)
    throw new CouldNotCheck(
      `there is no compose file: write ${exercise.file}, or name one with --file.`,
    );
  return found;
}

/** With --platform, compose builds and runs every service for it (unless a service names one). */
const platformEnv = (options: CheckOptions): Record<string, string> =>
  options.platform ? { DOCKER_DEFAULT_PLATFORM: options.platform } : {};

/** The compose file as `docker compose config` resolves it, with the base images it is given. */
async function readConfig(
  file: string,
  base: string[],
  env: Record<string, string>,
): Promise<ComposeFacts> {
  // Set in the environment, the base images reach every build whose args list them; a marker for
  // those not set shows whether the trainee's build section lists them at all.
  const named = baseImages();
  const markers = Object.fromEntries(
    BASE_IMAGE_VARIABLES.map((name) => [name, named[name] ?? `course-check-arg-${name}`]),
  );
  const result = await runCommand("docker", [...base, "config", "--format", "json"], {
    env: { ...env, ...markers },
  });
  const parsed = result.code === 0 ? (JSON.parse(result.stdout) as ComposeConfig) : undefined;
  const facts: ComposeFacts = {
    file: shown(file),
    config: {
      ok: parsed !== undefined,
      ...(parsed ? {} : { error: result.output.trim().split("\n").at(-1) ?? "" }),
      services: parsed?.services ?? {},
      secrets: parsed?.secrets ?? {},
    },
    baseImages: markers,
    up: { state: "not-run", reason: "the checks of the compose file failed" },
  };
  const dockerfile = await dockerfileFacts(facts);
  if (dockerfile) facts.dockerfile = dockerfile;
  return facts;
}

/** Why the stack is not started, or undefined when it can be. */
async function startProblem(exercise: ComposeExercise, facts: ComposeFacts) {
  const blocker = blockerOf(exercise.rules, facts);
  if (blocker)
    return { state: "not-run" as const, reason: `${blocker} failed`, blockedBy: blocker };
  const ports = Object.values(facts.config.services).flatMap((service) =>
    (service.ports ?? []).flatMap((p) => (p.published === undefined ? [] : [Number(p.published)])),
  );
  const busy = await busyPorts(ports);
  if (busy.length)
    return {
      state: "not-run" as const,
      reason: `ports in use on 127.0.0.1: ${describeBusy(busy)}`,
      freeWith: freeingCommands(busy),
    };
  return undefined;
}

export async function gather(
  exercise: ComposeExercise,
  options: CheckOptions,
): Promise<Gathered<ComposeFacts>> {
  refuseImageOptions(exercise, options);
  const file = composeFile(exercise, options.file);
  await requireEngine();
  const version = await runCommand("docker", ["compose", "version"]).catch(() => undefined);
  if (version?.code !== 0)
    throw new CouldNotCheck(
      "`docker compose` (compose v2) is not installed. `npx course doctor` says more.",
    );

  const project = options.tag ?? `${PROJECT_PREFIX}${runId()}`;
  if (options.tag !== undefined) await refuseTakenName(options.tag);
  const base = ["compose", "-f", file, "-p", project];
  const env = platformEnv(options);
  const facts = await readConfig(file, base, env);
  const problem = await startProblem(exercise, facts);
  if (problem) return { facts: { ...facts, up: problem }, image: {} };

  const down = track(`compose:${project}`, async () => {
    const args = [...base, "down", "--volumes", "--remove-orphans", "--timeout", "5"];
    await succeeded(runCommand("docker", args, { env }), "docker compose down");
    await removeUnnamedImages(project, facts.config);
  });
  try {
    const ctx = await runTasks<{ up?: { code: number; output: string } }>(
      [
        {
          title: `docker compose -f ${shown(file)} up --build --wait`,
          ...outputLines(6),
          task: async (ctx, task) => {
            ctx.up = await runCommand(
              "docker",
              [
                ...base,
                "up",
                "--build",
                "--detach",
                "--wait",
                "--wait-timeout",
                String(options.timeout),
              ],
              { env, onLine: (line) => (task.output = line) },
            );
            if (ctx.up.code !== 0) throw new Error("compose up failed");
          },
        },
        {
          title: "Call the employee routes: list, read, create, delete",
          skip: (ctx) => ctx.up?.code !== 0,
          task: async () => {
            const published = facts.config.services[EMPLOYEE_SERVICE]?.ports?.find(
              (p) => Number(p.published) === EMPLOYEE_PORT,
            );
            const origin = `http://127.0.0.1:${String(published?.published ?? EMPLOYEE_PORT)}`;
            facts.http = await callRoutes(origin);
            facts.partition = await partitionOf(facts);
            // Last, since it stops the department service: nothing after it needs the stack.
            const parent = await containerOf(project, PARENT.name);
            if (parent)
              facts.parentDown = await createWithParentDown(origin, async () => {
                await parent.stop({ t: 2 });
              });
          },
        },
      ],
      {},
      { quiet: options.json },
    );
    const up = ctx.up ?? { code: 1, output: "" };
    facts.up =
      up.code === 0 ? { state: "up", output: up.output } : { state: "failed", output: up.output };
    const container = await containerOf(project, EMPLOYEE_SERVICE);
    if (container === undefined) return { facts, image: {} };
    const employee = await employeeFacts(container);
    facts.employee = employee.facts;
    return { facts, image: await imageOf(employee.imageId) };
  } finally {
    await down();
  }
}

/** A name as the engine lists it: "advanced-docker/employee" is "advanced-docker/employee:latest". */
const withTag = (name: string) => (/:[^/]*$/.test(name) ? name : `${name}:latest`);

/**
 * Removes the images this run built for services the file gives no image: name (compose calls
 * them <project>-<service>), and the images of checks that a later build untagged (compose labels
 * each image with its project, so each check's build of a named image is a new image). The images
 * the file names are the trainee's, kept as their own `docker compose up` would leave them.
 * (`down --rmi local`, meant for this, removes the named ones too in recent compose releases.)
 */
async function removeUnnamedImages(project: string, config: ComposeFacts["config"]) {
  const named = new Set(
    Object.values(config.services).flatMap((service) =>
      service.image ? [withTag(service.image)] : [],
    ),
  );
  const label = "com.docker.compose.project";
  const built = await docker.listImages({ filters: { label: [label] } });
  for (const image of built) {
    const owner = image.Labels[label] ?? "";
    if (owner !== project && !owner.startsWith(PROJECT_PREFIX)) continue;
    const tags = (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>");
    if (tags.some((tag) => named.has(tag))) continue;
    if (owner !== project && tags.length) continue; // another check's, still named: running now
    try {
      // By name, as an image tagged twice cannot be removed by its id without force.
      for (const name of tags.length ? tags : [image.Id]) await docker.getImage(name).remove();
    } catch (error) {
      // Used by a container or removed meanwhile (a check running at the same time): theirs.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 409 && status !== 404) throw error;
    }
  }
}

/** The employee's image, as the report names it. */
async function imageOf(id: string): Promise<ReportImage> {
  const info = await docker.getImage(id).inspect();
  return {
    tag: info.RepoTags[0] ?? info.Id,
    id: info.Id,
    size: info.Size,
    platform: platformOfImage(info),
    user: info.Config.User || "root (no USER)",
  };
}
