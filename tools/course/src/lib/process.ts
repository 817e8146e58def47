import { spawn, type ChildProcess } from "node:child_process";
import { repoRoot } from "./paths.ts";

// The docker CLI for what the Engine API does not do as well (BuildKit builds, compose), run as
// child processes whose output is kept and shown line by line, and stopped on Ctrl-C.

/** The CLI processes still running, each with a promise that settles when it has exited. */
const children = new Map<ChildProcess, Promise<void>>();

/**
 * Stops the CLI processes still running (on Ctrl-C) and resolves once they have exited, so that
 * what they were making (a build, a container) is there to be removed. One that ignores SIGINT
 * is killed after `graceMs`.
 */
export async function stopChildren(graceMs = 10_000) {
  const running = [...children.entries()];
  for (const [child] of running) child.kill("SIGINT");
  const timer = setTimeout(() => {
    for (const [child] of running) if (child.exitCode === null) child.kill("SIGKILL");
  }, graceMs);
  await Promise.all(running.map(([, exited]) => exited));
  clearTimeout(timer);
}

export interface CommandResult {
  code: number;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  stdout: string;
}

/**
 * Runs a command (docker build, docker compose), handing each output line to onLine and keeping
 * the whole output. Resolves with the exit code; rejects only when the command cannot start, or
 * when `signal` aborts it (the process is sent SIGTERM): how a server run for a while is stopped.
 */
export function runCommand(
  command: string,
  args: string[],
  options: {
    onLine?: (line: string) => void;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    signal?: AbortSignal;
  } = {},
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, DOCKER_BUILDKIT: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    children.set(
      child,
      new Promise((resolveExit) =>
        child.once("close", () => {
          resolveExit();
        }),
      ),
    );
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

/** Throws, with the command's last line, when it exited with an error: for a clean-up step. */
export async function succeeded(result: Promise<CommandResult>, what: string) {
  const { code, output } = await result;
  if (code !== 0)
    throw new Error(`${what} exited ${String(code)}: ${output.trim().split("\n").at(-1) ?? ""}`);
}
