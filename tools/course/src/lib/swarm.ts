import { STACK } from "@course/stack";
import { build } from "./build.ts";
import { docker } from "./docker.ts";
import { errorMessage } from "./errors.ts";
import { runCommand, succeeded } from "./process.ts";

// A single-node swarm for `course check 6` and the swarm test: joined only when the engine is in
// none (and left again by whoever joined it), the course's images built on the configured bases
// (swarm never builds), a stack deployed without asking a registry, and removed until nothing of
// it is left: tasks' containers, its network and its secrets.

export const stackImage = (name: string, tag: string) => `advanced-docker/${name}:${tag}`;

/** A service of a stack, as swarm names it. */
export const stackService = (stack: string, name: string) => `${stack}_${name}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value, or fails naming `what` after `seconds`. */
export async function waitFor<T>(
  what: string,
  seconds: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${String(seconds)} s`);
    await sleep(250);
  }
}

export async function swarmState(): Promise<string> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  return info.Swarm?.LocalNodeState ?? "inactive";
}

/**
 * Makes this engine a single-node swarm when it is in none; resolves with whether it did (then
 * the caller leaves it again). A node that is already a swarm's is used as it is.
 */
export async function joinSwarm(): Promise<boolean> {
  const state = await swarmState();
  if (state === "active") return false;
  if (state !== "inactive") throw new Error(`this engine's swarm is ${state}`);
  const result = await runCommand("docker", ["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  if (result.code !== 0)
    throw new Error(`docker swarm init failed: ${result.output.trim().split("\n").at(-1) ?? ""}`);
  return true;
}

export async function leaveSwarm() {
  if ((await swarmState()) === "inactive") return;
  await succeeded(runCommand("docker", ["swarm", "leave", "--force"]), "docker swarm leave");
}

/**
 * The swarm a run may need: `join()` makes this engine one when it is in none, and `leave()`
 * leaves only a swarm that this run's `join()` started. One started meanwhile by someone else (a
 * trainee's own `docker stack deploy`, a second check) is theirs, and stays.
 */
export function ownSwarm(engine = { join: joinSwarm, leave: leaveSwarm }) {
  let started = false;
  return {
    join: async () => {
      started = (await engine.join()) || started;
    },
    leave: async () => {
      if (started) await engine.leave();
      started = false;
    },
  };
}

/** Builds the course's images (every service of the stack registry) under `tag`. */
export async function buildStackImages(tag: string, onLine?: (line: string) => void) {
  for (const service of STACK) {
    const result = await build({
      dockerfile: service.dockerfile,
      context: ".",
      tag: stackImage(service.name, tag),
      ...(onLine ? { onLine } : {}),
    });
    if (!result.ok) return { ok: false as const, service: service.name, output: result.output };
  }
  return { ok: true as const };
}

/** Removes the course's images built under `tag`; one already gone is fine, others are named. */
export async function removeImages(tag: string) {
  const problems: string[] = [];
  for (const service of STACK) {
    const image = stackImage(service.name, tag);
    await docker
      .getImage(image)
      .remove()
      .catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode !== 404)
          problems.push(`${image} (${errorMessage(error)})`);
      });
  }
  if (problems.length) throw new Error(`could not remove ${problems.join(", ")}`);
}

/** `docker stack deploy` with the images as they are on this machine (no registry asked). */
export function deployStack(file: string, stack: string, env: NodeJS.ProcessEnv = {}) {
  return runCommand(
    "docker",
    ["stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", file, stack],
    { env },
  );
}

/** What is still there of a stack: its services, tasks' containers, networks and secrets. */
export async function stackLeftovers(stack: string): Promise<string[]> {
  const label = `com.docker.stack.namespace=${stack}`;
  if ((await swarmState()) !== "active") {
    const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
    return containers.map((c) => `container ${c.Names.join(",")}`);
  }
  const [services, containers, networks, secrets] = await Promise.all([
    docker.listServices({ filters: { label: [label] } }),
    docker.listContainers({ all: true, filters: { label: [label] } }),
    docker.listNetworks({ filters: { label: [label] } }),
    docker.listSecrets({ filters: { label: [label] } }),
  ]);
  return [
    ...services.map((s) => `service ${s.Spec?.Name ?? s.ID}`),
    ...containers.map((c) => `container ${c.Names.join(",")}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...secrets.map((s) => `secret ${s.Spec?.Name ?? s.ID}`),
  ];
}

/**
 * `docker stack rm`, then waits until the stack is gone: the command returns before the tasks'
 * containers and the network are, images in use by a container cannot be removed, and a swarm
 * left too early keeps the network as a leftover.
 */
export async function removeStack(stack: string, seconds = 60) {
  if ((await swarmState()) === "active")
    await succeeded(runCommand("docker", ["stack", "rm", stack]), `docker stack rm ${stack}`);
  await waitFor(`the stack ${stack} removed`, seconds, async () =>
    (await stackLeftovers(stack)).length === 0 ? true : undefined,
  );
}

export interface SwarmTask {
  ID: string;
  DesiredState: string;
  Status: { State: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
  Spec: { ContainerSpec: { Image: string } };
}

/** A service's tasks that swarm means to keep running. */
export async function liveTasks(service: string): Promise<SwarmTask[]> {
  return (await docker.listTasks({
    filters: { service: [service], "desired-state": ["running"] },
  })) as SwarmTask[];
}

/** The tasks that are running: with a healthcheck, swarm says so only once it has passed. */
export async function runningTasks(service: string): Promise<SwarmTask[]> {
  return (await liveTasks(service)).filter((task) => task.Status.State === "running");
}
