import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { baseImages as namedBases, buildArgs, docker, fetchWithin, runCommand } from "@course/cli";

// What the container suites share: the engine (the course tool's client), a visible skip when
// there is none (a failure when COURSE_REQUIRE_DOCKER=1, as in CI), and image builds with BuildKit.

export const root = join(import.meta.dirname, "../..");
// A request to a container that is starting or dying can leave Node's fetch waiting on nothing
// that keeps the process alive; this one's deadline timer does.
export { docker, fetchWithin } from "@course/cli";
export { STACK as services } from "@course/stack";

let available: Promise<string | undefined> | undefined;

/** Why the engine cannot be used, or undefined when it answers. */
function engineProblem() {
  available ??= docker.ping().then(
    () => undefined,
    (error: unknown) =>
      `no Docker engine answers (${error instanceof Error ? error.message : String(error)})`,
  );
  return available;
}

/** Skips the test with the reason when there is no engine, unless COURSE_REQUIRE_DOCKER=1. */
export async function needsDocker(t: TestContext): Promise<boolean> {
  const problem = await engineProblem();
  if (problem === undefined) return true;
  if (process.env.COURSE_REQUIRE_DOCKER === "1")
    throw new Error(`COURSE_REQUIRE_DOCKER=1 but ${problem}`);
  t.skip(problem);
  return false;
}

/** The base images builds use: the offline stand-ins when the environment names them. */
export const baseImages = namedBases();

/** Polls `url` until it answers 2xx (and returns that answer), or fails after `timeoutMs`. */
export async function waitFor(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await fetchWithin(url, 5000).catch(() => undefined);
    if (answer?.response.ok) return answer;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs a command (docker, docker compose), collecting its output; rejects on a non-zero exit. */
export async function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
) {
  const result = await runCommand(command, args, { cwd: options.cwd ?? root, ...options });
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited ${String(result.code)}:\n${result.output.slice(-4000)}`,
    );
  return result.output;
}

/** Builds one of the repository's Dockerfiles (from the root) and returns the tag. */
export async function buildImage(dockerfile: string, tag: string, target?: string) {
  const targetArgs = target === undefined ? [] : ["--target", target];
  await run("docker", ["build", "-f", dockerfile, "-t", tag, ...targetArgs, ...buildArgs(), "."]);
  return tag;
}

/** The repository's tracked files, as a clone would have them, copied into a folder. */
export function copyRepository(dir: string) {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  return dir;
}
