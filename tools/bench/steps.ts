import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
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
  onHost,
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
  Throughput,
  ThroughputRow,
  Watch,
} from "./figures.ts";
import { limitsOf, type ComposeConfig } from "./limits.ts";
import { alternating, direct, http, LOAD } from "./measure.ts";
import { listeningLine, logLines, startupPhases } from "./phases.ts";
import { beside, floorBeside } from "./side.ts";
import { composeWatch, saveToServed } from "./watch.ts";

// The measuring steps of `npm run bench`, run one after another by main.ts; each prints what it
// measured and returns it as a figures record. Every load is bounded by LOAD (time, connections)
// and the start-up tries by their count; nothing here passes or fails on a figure.

const root = join(import.meta.dirname, "../..");
const inRepo = (path: string) => join(root, path);
const [company, department, employee] = MICROSERVICES;
const serviceNames = MICROSERVICES.map((s) => s.name);
const step = (text: string) => {
  console.log(`\n▶ ${text}`);
};
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

/** The bare Fastify route of ceiling.ts, on the host: the framework's ceiling on this machine. */
async function ceiling() {
  const server = onHost(join(import.meta.dirname, "ceiling.ts"));
  try {
    return await http({ url: `${await server.firstLine}/companies/northwind` });
  } finally {
    await server.stop();
  }
}

/** The company service on the host, without the container's CPU limit. */
async function unlimited() {
  const port = 18001;
  const server = onHost(inRepo(join(company.folder, "src/server.ts")), {
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    COSMOSDB_ENDPOINT_URL: localUrl(DATABASE),
    COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
    SEED_DATA: "false",
  });
  try {
    await untilOk(`http://127.0.0.1:${port}/readyz`);
    return await http({ url: `http://127.0.0.1:${port}/companies/northwind` });
  } finally {
    await server.stop();
  }
}

/** The database a compose service is pointed at, with the key as a variable (not its secret file). */
async function databaseOf(service: string): Promise<Record<string, string>> {
  const env: Record<string, string | undefined> = Object.fromEntries(
    (await (await containerOf(service)).inspect()).Config.Env.map((pair) => {
      const at = pair.indexOf("=");
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  return {
    COSMOSDB_ENDPOINT_URL: env.COSMOSDB_ENDPOINT_URL ?? "http://cosmosdb:8081",
    COSMOSDB_MASTER_KEY: env.COSMOSDB_MASTER_KEY ? env.COSMOSDB_MASTER_KEY : LOCAL_COSMOS_KEY,
    COSMOSDB_DATABASE: env.COSMOSDB_DATABASE ?? "course",
  };
}

async function imageOf(service: string) {
  return (await (await containerOf(service)).inspect()).Config.Image;
}

/** The floor (floor.ts) and the company image at LOG_LEVEL=warn, both beside the company service. */
async function besideFloorAndWarn(database: Record<string, string>) {
  const floor = await floorBeside(company.name, database);
  try {
    const warn = await beside({
      like: company.name,
      image: await imageOf(company.name),
      env: { ...database, LOG_LEVEL: "warn", SEED_DATA: "false" },
      port: company.port,
      readyPath: "/readyz",
    });
    return {
      floor,
      warn,
      stop: () => Promise.all([floor.stop(), warn.stop()]).then(() => undefined),
    };
  } catch (error) {
    await floor.stop();
    throw error;
  }
}

/** Each operation through its service and directly through the SDK, with peak memory meanwhile. */
export async function underLoad(): Promise<{
  throughput: Throughput;
  peak: Record<string, number>;
}> {
  step(`Load: ${LOAD.connections} connections for ${LOAD.seconds} s each`);
  const client = new CosmosClient({
    endpoint: localUrl(DATABASE),
    key: LOCAL_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const db = client.database("course");
  const peak: Record<string, number> = {};
  const sampling = { on: true };
  const sampler = (async () => {
    while (sampling.on) {
      for (const s of serviceNames) peak[s] = Math.max(peak[s] ?? 0, await memory(s));
      await sleep(500);
    }
  })();

  const bare = await ceiling();
  // The same service on the host, without the container's CPU limit: separates the service's own
  // cost from the limit compose gives it.
  const host = await unlimited();

  const person = {
    firstName: "Bench",
    lastName: "Mark",
    email: "bench@northwind.example",
    role: "Load",
    startDate: "2025-01-01",
  };
  // The service, the floor and the service at LOG_LEVEL=warn: compared with each other, so their
  // loads run in turns (measure.ts, alternating).
  const database = await databaseOf(company.name);
  const beside3 = await besideFloorAndWarn(database);
  const compared = await alternating({
    service: `${localUrl(company)}/companies/northwind`,
    floor: `${beside3.floor.url}/companies/northwind`,
    warn: `${beside3.warn.url}/companies/northwind`,
  }).finally(() => beside3.stop());
  const floor = compared.floor.median;
  const warn = compared.warn.median;
  const pointRead = {
    operation: "point read `GET /companies/{id}`",
    service: compared.service.median,
    direct: await direct(() => db.container("companies").item("northwind", "northwind").read()),
  };
  const list = {
    operation: "single-partition list `GET /companies/{id}/departments`",
    service: await http({ url: `${localUrl(department)}/companies/northwind/departments` }),
    direct: await direct(() =>
      db
        .container("departments")
        .items.query(
          {
            query: "SELECT * FROM c WHERE c.companyId = @c",
            parameters: [{ name: "@c", value: "northwind" }],
          },
          { partitionKey: "northwind" },
        )
        .fetchAll(),
    ),
  };
  const employeesPath = "/companies/northwind/departments/northwind-it/employees";
  const write = {
    operation: "write: `POST` then `DELETE` an employee",
    service: await http({
      url: localUrl(employee),
      requests: [
        {
          method: "POST",
          path: employeesPath,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(person),
          onResponse: (_status, body, context) => {
            (context as { id?: string }).id = (JSON.parse(body) as { id: string }).id;
          },
        },
        {
          method: "DELETE",
          setupRequest: (request, context: { id?: string }) => ({
            ...request,
            path: `${employeesPath}/${context.id ?? ""}`,
          }),
        },
      ],
    }),
    direct: await direct(async () => {
      const id = crypto.randomUUID();
      const employees = db.container("employees");
      await employees.items.create({
        id,
        companyId: "northwind",
        departmentId: "northwind-it",
        ...person,
      });
      await employees.item(id, "northwind").delete();
    }),
  };
  sampling.on = false;
  await sampler;
  client.dispose();

  const rows: ThroughputRow[] = [
    ...[pointRead, list, write].map((row) => ({ ...row, ratio: row.service.rps / row.direct.rps })),
    {
      operation: `point read, ${company.name} service with LOG_LEVEL=warn (same image, limits and network)`,
      service: warn,
      ratio: warn.rps / pointRead.direct.rps,
    },
    {
      operation: `point read, bare Fastify route forwarding it through the SDK, in a container at ${company.name}'s limits (floor)`,
      service: floor,
      ratio: floor.rps / pointRead.direct.rps,
    },
    {
      operation: `point read, ${company.name} service run on the host without a CPU limit`,
      service: host,
      ratio: host.rps / pointRead.direct.rps,
    },
    { operation: "bare Fastify route, same JSON from memory (ceiling)", service: bare },
  ];
  for (const row of rows)
    console.log(
      `  ${row.operation}: ${row.service.rps.toFixed(0)} req/s (p50 ${row.service.p50} ms, p99 ${row.service.p99} ms, ${row.service.errors} errors)` +
        (row.direct ? `, direct ${row.direct.rps.toFixed(0)} req/s` : "") +
        (row.ratio === undefined ? "" : `, ratio ${row.ratio.toFixed(2)}`),
    );
  return {
    throughput: {
      load: { ...LOAD },
      rows,
      pointReadRatio: pointRead.service.rps / pointRead.direct.rps,
      floorRatio: pointRead.service.rps / floor.rps,
      floorRatios: compared.service.rounds.map(
        (r, i) => r.rps / (compared.floor.rounds[i]?.rps ?? NaN),
      ),
      warnFloorRatio: warn.rps / floor.rps,
    },
    peak,
  };
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
