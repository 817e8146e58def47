import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { docker } from "@course/cli";
import { DATABASE, localUrl, MICROSERVICES } from "@course/stack";
import {
  build,
  compose,
  COMPOSE_FILE,
  PROJECT,
  RUNTIME_BASE,
  composeConfig,
  containerOf,
  memory,
  seconds,
  sleep,
  untilOk,
} from "./compose.ts";
import type {
  ImageSizes,
  Limits,
  Rebuild,
  ServiceMemory,
  Startup,
  StartupPhases,
  Watch,
} from "./figures.ts";
import { limitsOf, type ComposeConfig } from "./limits.ts";
import { listeningLine, logLines, startupPhases } from "./phases.ts";
import { inRepo, service, step } from "./common.ts";
import { composeWatch, saveToServed } from "./watch.ts";

// The measuring steps of `npm run bench`, run one after another by main.ts; each prints what it
// measured and returns it as a figures record. Every load is bounded by LOAD (time, connections)
// and the start-up tries by their count; nothing here passes or fails on a figure. The load
// itself is load.ts.

export { underLoad } from "./load.ts";

const company = service("company");
const serviceNames = MICROSERVICES.map((s) => s.name);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function readLimits(): Promise<{ config: ComposeConfig; limits: Limits }> {
  step(`Limits, from docker compose config of ${COMPOSE_FILE}`);
  const config = await composeConfig();
  const limits = limitsOf(config, COMPOSE_FILE, [...serviceNames, DATABASE.name]);
  for (const [name, limit] of Object.entries(limits.services))
    console.log(
      `  ${name}: ${String(limit.cpus ?? "no")} CPU, ${limit.memoryBytes ? mb(limit.memoryBytes) : "no"} MB`,
    );
  return { config, limits };
}

/** Builds the images (cached), then times `docker compose up` to every service healthy. */
export async function composeUp(): Promise<number> {
  step("Building the images (BuildKit, cached)");
  await compose("build");
  step("docker compose up with built images, to every service healthy");
  await compose("down", "--timeout", "5").catch(() => undefined);
  const took = await seconds(() => compose("up", "--detach", "--wait", "--wait-timeout", "120"));
  console.log(`  ${took.toFixed(1)} s`);
  return took;
}

export async function startup(tries = 5): Promise<Startup> {
  step(`Container start to /readyz 200, ${company.name} service, ${tries} times`);
  const taken: number[] = [];
  const phases: StartupPhases[] = [];
  for (let i = 0; i < tries; i++) {
    const container = await containerOf(company.name);
    await container.stop({ t: 5 });
    const called = Date.now();
    taken.push(
      await seconds(async () => {
        await container.start();
        await untilOk(`${localUrl(company)}/readyz`);
      }),
    );
    const ready = Date.now();
    const started = Date.parse((await container.inspect()).State.StartedAt);
    // The service writes its log in batches: the line may come a moment after /readyz answers.
    let logs = logLines(await container.logs({ stdout: true, stderr: true }));
    for (let wait = 0; !listeningLine(logs, started) && wait < 20; wait++) {
      await sleep(100);
      logs = logLines(await container.logs({ stdout: true, stderr: true }));
    }
    phases.push(startupPhases({ called, started, ready }, logs));
  }
  console.log(`  ${taken.map((s) => s.toFixed(2)).join(", ")} s`);
  for (const p of phases)
    console.log(
      `  engine ${p.engine.toFixed(3)} s, to listening ${p.listen.toFixed(3)} s, to ready ${p.ready.toFixed(3)} s`,
    );
  await compose("up", "--detach", "--wait", "--wait-timeout", "60");
  return { service: company.name, seconds: taken, phases };
}

export async function idleMemory(): Promise<Record<string, number>> {
  step("Memory at rest");
  await sleep(3000);
  const idle = Object.fromEntries(
    await Promise.all(serviceNames.map(async (s) => [s, await memory(s)] as const)),
  );
  console.log(`  ${serviceNames.map((s) => `${s} ${mb(idle[s] ?? 0)} MB`).join(", ")}`);
  return idle;
}

export const memoryFigures = (
  idle: Record<string, number>,
  peak: Record<string, number>,
): ServiceMemory[] =>
  serviceNames.map((service) => ({
    service,
    idleBytes: idle[service] ?? NaN,
    loadBytes: peak[service] ?? NaN,
  }));

/** Each image compose runs, against the runtime base the builds were given. */
export async function imageSizes(config: ComposeConfig): Promise<ImageSizes> {
  step("Image sizes");
  const base = RUNTIME_BASE;
  const baseBytes = (await docker.getImage(base).inspect()).Size;
  const images = await Promise.all(
    [DATABASE, ...MICROSERVICES].map(async ({ name }) => {
      const image = (config.services?.[name] as { image?: string } | undefined)?.image;
      if (!image) throw new Error(`${COMPOSE_FILE} names no image for ${name}`);
      return { service: name, image, bytes: (await docker.getImage(image).inspect()).Size };
    }),
  );
  for (const i of images)
    console.log(`  ${i.image}: ${mb(i.bytes)} MB, ${mb(i.bytes - baseBytes)} MB above ${base}`);
  return { base, baseBytes, images };
}

/** A clean build of the company image, then a build after a one-line change to its sources. */
export async function rebuild(): Promise<Rebuild> {
  step(`Rebuild after a one-line source change, against a clean build (${company.name} image)`);
  const tag = `advanced-docker-bench/${company.name}`;
  const image = ["-f", company.dockerfile, "-t", tag];
  const cleanSeconds = await seconds(() => build("--no-cache", ...image));
  const source = inRepo(join(company.folder, "src/routes.ts"));
  const original = readFileSync(source, "utf8");
  let changedSeconds: number;
  try {
    writeFileSync(source, `${original}// bench ${Date.now()}\n`);
    changedSeconds = await seconds(() => build(...image));
  } finally {
    writeFileSync(source, original);
  }
  await docker
    .getImage(tag)
    .remove()
    .catch(() => undefined);
  console.log(
    `  clean ${cleanSeconds.toFixed(1)} s, after a one-line change ${changedSeconds.toFixed(1)} s`,
  );
  return { service: company.name, cleanSeconds, changedSeconds };
}

/**
 * `docker compose watch` on the running stack: a change saved to the company routes, to the new
 * answer served. The source is restored afterwards and the image built again from it (cached).
 */
export async function watch(): Promise<Watch> {
  step(`docker compose watch: a route change saved, to the new answer served (${company.name})`);
  const watching = composeWatch(["-p", PROJECT, "-f", COMPOSE_FILE], ["--no-up", company.name]);
  const source = inRepo(join(company.folder, "src/routes.ts"));
  const original = readFileSync(source, "utf8");
  let savedToServedSeconds: number;
  try {
    await watching.enabled;
    savedToServedSeconds = await saveToServed(source, `${localUrl(company)}/companies`);
  } finally {
    await watching.stop();
    writeFileSync(source, original);
  }
  await compose("up", "--detach", "--build", "--wait", "--wait-timeout", "60", company.name);
  console.log(`  ${savedToServedSeconds.toFixed(1)} s`);
  return { service: company.name, savedToServedSeconds };
}

export async function stop() {
  step("Stopping the stack");
  await compose("down", "--timeout", "5");
}
