import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TestContext } from "node:test";
import Docker from "dockerode";

// What the container suites share: the engine (through its API), a visible skip when there is
// none (a failure when COURSE_REQUIRE_DOCKER=1, as in CI), and image builds with BuildKit.

export const root = join(import.meta.dirname, "../..");
// A request to a container that is starting or dying can leave Node's fetch waiting on nothing
// that keeps the process alive; this one's deadline timer does.
export { fetchWithin } from "../../tools/course/src/engine.ts";
export const docker = new Docker();

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
export const baseImages = {
  BUILD_IMAGE: process.env.BUILD_IMAGE,
  DISTROLESS_IMAGE: process.env.DISTROLESS_IMAGE,
  ALPINE_IMAGE: process.env.ALPINE_IMAGE,
};

export function buildArgs() {
  return Object.entries(baseImages).flatMap(([name, value]) =>
    value ? ["--build-arg", `${name}=${value}`] : [],
  );
}

/** Runs a command (docker, docker compose), collecting its output; rejects on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: { ...process.env, DOCKER_BUILDKIT: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`${command} ${args.join(" ")} exited ${String(code)}:\n${output.slice(-4000)}`),
        );
    });
  });
}

/** Builds one of the repository's Dockerfiles (from the root) and returns the tag. */
export async function buildImage(dockerfile: string, tag: string, target?: string) {
  const targetArgs = target === undefined ? [] : ["--target", target];
  await run("docker", ["build", "-f", dockerfile, "-t", tag, ...targetArgs, ...buildArgs(), "."]);
  return tag;
}

export const services = [
  { name: "company", dockerfile: "services/company/Dockerfile", port: 8001 },
  { name: "department", dockerfile: "services/department/Dockerfile", port: 8002 },
  {
    name: "employee",
    dockerfile: "solutions/05-compose-employees/services/employee/Dockerfile",
    port: 8003,
  },
  { name: "cosmosdb", dockerfile: "infra/cosmosdb/Dockerfile", port: 8081 },
] as const;
