import { join } from "node:path";
import { type Container, CosmosClient } from "@azure/cosmos";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { DATABASE, localUrl, MICROSERVICES } from "@course/stack";
import {
  COMPANY_PATH,
  DEPARTMENTS_PATH,
  EMPLOYEES_PATH,
  inRepo,
  SAMPLE,
  service,
  step,
} from "./common.ts";
import { containerOf, memory, onHost, sleep, untilOk } from "./compose.ts";
import type { LoadFigures, Throughput, ThroughputRow } from "./figures.ts";
import { alternating, direct, http, LOAD } from "./measure.ts";
import { beside, floorBeside } from "./side.ts";

// `npm run bench`'s load step: each operation through its service and directly through the SDK,
// beside the floor (a bare route forwarding through the SDK), the ceiling (a bare route from
// memory) and the company service without its CPU limit, with peak memory meanwhile.

const company = service("company");
const department = service("department");
const employee = service("employee");

/** The bare Fastify route of ceiling.ts, on the host: the framework's ceiling on this machine. */
async function ceiling() {
  const server = onHost(join(import.meta.dirname, "ceiling.ts"));
  try {
    return await http({ url: `${await server.firstLine}${COMPANY_PATH}` });
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
    return await http({ url: `http://127.0.0.1:${port}${COMPANY_PATH}` });
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

/** Each service's peak memory, sampled until the returned stop() is called. */
function samplePeakMemory() {
  const peak: Record<string, number> = {};
  const sampling = { on: true };
  const sampler = (async () => {
    while (sampling.on) {
      for (const s of MICROSERVICES)
        peak[s.name] = Math.max(peak[s.name] ?? 0, await memory(s.name));
      await sleep(500);
    }
  })();
  return async () => {
    sampling.on = false;
    await sampler;
    return peak;
  };
}

/** The service, the floor and the service at LOG_LEVEL=warn: compared with each other, in turns. */
async function comparedReads() {
  const database = await databaseOf(company.name);
  const beside3 = await besideFloorAndWarn(database);
  return alternating({
    service: `${localUrl(company)}${COMPANY_PATH}`,
    floor: `${beside3.floor.url}${COMPANY_PATH}`,
    warn: `${beside3.warn.url}${COMPANY_PATH}`,
  }).finally(() => beside3.stop());
}

const listDirect = (db: ReturnType<CosmosClient["database"]>) => () =>
  db
    .container("departments")
    .items.query(
      {
        query: "SELECT * FROM c WHERE c.companyId = @c",
        parameters: [{ name: "@c", value: SAMPLE.companyId }],
      },
      { partitionKey: SAMPLE.companyId },
    )
    .fetchAll();

const PERSON = {
  firstName: "Bench",
  lastName: "Mark",
  email: `bench@${SAMPLE.companyId}.example`,
  role: "Load",
  startDate: "2025-01-01",
};

/** POST then DELETE an employee through the employee service, each created one removed again. */
const writeThroughService = () =>
  http({
    url: localUrl(employee),
    requests: [
      {
        method: "POST",
        path: EMPLOYEES_PATH,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(PERSON),
        onResponse: (_status, body, context) => {
          (context as { id?: string }).id = (JSON.parse(body) as { id: string }).id;
        },
      },
      {
        method: "DELETE",
        setupRequest: (request, context: { id?: string }) => ({
          ...request,
          path: `${EMPLOYEES_PATH}/${context.id ?? ""}`,
        }),
      },
    ],
  });

const writeDirect = (employees: Container) => async () => {
  const id = crypto.randomUUID();
  await employees.items.create({ id, ...SAMPLE, ...PERSON });
  await employees.item(id, SAMPLE.companyId).delete();
};

function printRows(rows: ThroughputRow[]) {
  for (const row of rows)
    console.log(
      `  ${row.operation}: ${row.service.rps.toFixed(0)} req/s (p50 ${row.service.p50} ms, p99 ${row.service.p99} ms, ${row.service.errors} errors)` +
        (row.direct ? `, direct ${row.direct.rps.toFixed(0)} req/s` : "") +
        (row.ratio === undefined ? "" : `, ratio ${row.ratio.toFixed(2)}`),
    );
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
  const stopSampling = samplePeakMemory();

  const bare = await ceiling();
  // The same service on the host, without the container's CPU limit: separates the service's own
  // cost from the limit compose gives it.
  const host = await unlimited();
  const compared = await comparedReads();
  const floor = compared.floor.median;
  const warn = compared.warn.median;
  const pointRead = {
    operation: "point read `GET /companies/{id}`",
    service: compared.service.median,
    direct: await direct(() =>
      db.container("companies").item(SAMPLE.companyId, SAMPLE.companyId).read(),
    ),
  };
  const list = {
    operation: "single-partition list `GET /companies/{id}/departments`",
    service: await http({ url: `${localUrl(department)}${DEPARTMENTS_PATH}` }),
    direct: await direct(listDirect(db)),
  };
  const write = {
    operation: "write: `POST` then `DELETE` an employee",
    service: await writeThroughService(),
    direct: await direct(writeDirect(db.container("employees"))),
  };
  const peak = await stopSampling();
  client.dispose();

  const beside = (operation: string, measured: LoadFigures) => ({
    operation,
    service: measured,
    ratio: measured.rps / pointRead.direct.rps,
  });
  const rows: ThroughputRow[] = [
    ...[pointRead, list, write].map((row) => ({ ...row, ratio: row.service.rps / row.direct.rps })),
    beside(
      `point read, ${company.name} service with LOG_LEVEL=warn (same image, limits and network)`,
      warn,
    ),
    beside(
      `point read, bare Fastify route forwarding it through the SDK, in a container at ${company.name}'s limits (floor)`,
      floor,
    ),
    beside(`point read, ${company.name} service run on the host without a CPU limit`, host),
    { operation: "bare Fastify route, same JSON from memory (ceiling)", service: bare },
  ];
  printRows(rows);
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
