import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import Docker from "dockerode";

// What every command shares: the engine (through its API), the docker CLI for builds and
// compose, the labels that mark what the course creates, and where the course keeps its files.

export const repoRoot = resolve(import.meta.dirname, "../../..");

/** The directory the user typed the command in (npm run changes to the repository root). */
export const userCwd = process.env.INIT_CWD ?? process.cwd();

export const stateDir = () => process.env.COURSE_STATE_DIR ?? join(repoRoot, ".course");

/** Every container, image and compose project the course creates carries this label. */
export const LABEL = "course.check";

export const docker = new Docker();

/** The command could not check anything (no engine, no Dockerfile): exit status 2. */
export class CouldNotCheck extends Error {
  override name = "CouldNotCheck";
}

export function engineAddress() {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

export async function requireEngine() {
  try {
    await docker.ping();
  } catch (error) {
    throw new CouldNotCheck(
      `no Docker engine answers at ${engineAddress()} (${errorMessage(error)}). ` +
        "Start Docker, then run `npm run course -- doctor`.",
    );
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const { json } = error as Error & { json?: { message?: string } };
    return json?.message ?? error.message;
  }
  return String(error);
}

/** The base images the builds use: the offline or mirrored ones when the environment names them. */
export const BASE_IMAGE_VARIABLES = ["BUILD_IMAGE", "DISTROLESS_IMAGE", "ALPINE_IMAGE"] as const;

export function buildArgs(): string[] {
  return BASE_IMAGE_VARIABLES.flatMap((name) => {
    const value = process.env[name];
    return value ? ["--build-arg", `${name}=${value}`] : [];
  });
}

const children = new Set<ChildProcess>();

/** Stops the docker CLI processes still running (on Ctrl-C). */
export function killChildren() {
  for (const child of children) child.kill("SIGINT");
}

export interface CommandResult {
  code: number;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  stdout: string;
}

/**
 * Runs a command (docker build, docker compose), handing each output line to onLine and keeping
 * the whole output. Resolves with the exit code; rejects only when the command cannot start.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { onLine?: (line: string) => void; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, DOCKER_BUILDKIT: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let output = "";
    let stdout = "";
    let pending = "";
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      pending += text;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) options.onLine?.(line);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      take(chunk);
    });
    child.stderr.on("data", take);
    child.on("error", (error) => {
      children.delete(child);
      reject(error);
    });
    child.on("close", (code, signal) => {
      children.delete(child);
      if (pending.trim()) options.onLine?.(pending);
      resolvePromise({ code: code ?? (signal ? 130 : 1), output, stdout });
    });
  });
}

export const MB = 1_000_000;

/** Sizes as `docker images` prints them: decimal megabytes. */
export function formatSize(bytes: number): string {
  if (bytes >= 1000 * MB) return `${(bytes / (1000 * MB)).toFixed(2)} GB`;
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
}

/**
 * fetch with a time limit whose timer keeps the process alive (AbortSignal.timeout's does not,
 * and a request to a port whose container just died can otherwise leave nothing to wait on).
 */
export async function fetchWithin(url: string, ms: number, init: RequestInit = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new Error(`no answer within ${String(ms / 1000)} s`));
  }, ms);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const body = await response.text();
    return { response, body };
  } finally {
    clearTimeout(timer);
  }
}
