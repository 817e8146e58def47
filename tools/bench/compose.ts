import { buildArgs, docker, fetchWithin, runCommand } from "@course/cli";
import { COMPOSE_FILES } from "@course/stack";
import type { ComposeConfig } from "./limits.ts";

// The stack the bench runs: exercise 5's compose file (every service, employee included) under a
// compose project name of its own, and what the engine tells about its containers.

export const COMPOSE_FILE = COMPOSE_FILES.withEmployee;
export const PROJECT = "advanced-docker-bench";

/** The runtime base the images were built on, as the build arguments name it. */
export const RUNTIME_BASE =
  process.env.DISTROLESS_IMAGE ?? "gcr.io/distroless/nodejs24-debian13:nonroot";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command from the repository root; its output is shown only when it fails. */
export async function run(command: string, args: string[]) {
  const result = await runCommand(command, args);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited ${String(result.code)}\n${result.output.slice(-3000)}`,
    );
  return result;
}

export const compose = (...args: string[]) =>
  run("docker", ["compose", "-p", PROJECT, "-f", COMPOSE_FILE, ...args]);

export async function composeConfig(): Promise<ComposeConfig> {
  return JSON.parse((await compose("config", "--format", "json")).stdout) as ComposeConfig;
}

/** `docker build` from the repository root, with the base images the environment names. */
export const build = (...args: string[]) => run("docker", ["build", ...args, ...buildArgs(), "."]);

export async function containerOf(service: string) {
  const [found] = await docker.listContainers({
    filters: {
      label: [`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${service}`],
    },
  });
  if (!found) throw new Error(`no ${service} container`);
  return docker.getContainer(found.Id);
}

/** Resident memory of a container, without the page cache (as `docker stats` shows it). */
export async function memory(service: string) {
  const stats = (await (await containerOf(service)).stats({ stream: false })) as {
    memory_stats: { usage?: number; stats?: Record<string, number> };
  };
  const { usage = 0, stats: detail = {} } = stats.memory_stats;
  return usage - (detail.inactive_file ?? detail.total_inactive_file ?? detail.cache ?? 0);
}

export async function untilOk(url: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A deadline on each try whose timer holds the process: a connection the port proxy
    // accepted but nothing answers must not hang, nor let the process drift out.
    const answer = await fetchWithin(url, 1000).catch(() => undefined);
    if (answer?.response.ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready in ${timeoutMs} ms`);
    await sleep(10);
  }
}

export const seconds = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
};

/**
 * A Node.js script run on the host through tsx until stop(): the ceiling server and the company
 * service without a CPU limit. `firstLine` is the first line it prints.
 */
export function onHost(script: string, env: NodeJS.ProcessEnv = {}) {
  const controller = new AbortController();
  let printed: (line: string) => void = () => undefined;
  const line = new Promise<string>((resolve) => (printed = resolve));
  const exited = runCommand(process.execPath, ["--import", "tsx", script], {
    env,
    signal: controller.signal,
    onLine: (text) => {
      printed(text);
    },
  });
  const early = exited.then((result) => {
    throw new Error(`${script} exited ${String(result.code)}\n${result.output.slice(-3000)}`);
  });
  const firstLine = Promise.race([line, early]);
  // Stopping it rejects `early`: not a failure when nobody waits for the first line.
  firstLine.catch(() => undefined);
  return {
    firstLine,
    async stop() {
      controller.abort();
      await exited.catch(() => undefined);
    },
  };
}
