// `npm run bench`: runs the stack in containers and measures it, side by side in one run, then
// prints the figures and writes them to docs/benchmarks.md with the machine and the date.
// Bounded: each load lasts LOAD.seconds at LOAD.connections; nothing here is a pass/fail test.
import { fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { buildArgs as baseImageArgs, docker, fetchWithin, runCommand } from "@course/cli";
import { direct, http, LOAD, type Figures } from "./measure.ts";

const root = join(import.meta.dirname, "../..");
const project = "advanced-docker-bench";
const composeFile = "solutions/05-compose-employees/compose.yaml";
const buildArgs = baseImageArgs();
const step = (text: string) => {
  console.log(`\n▶ ${text}`);
};

async function run(command: string, args: string[]) {
  const result = await runCommand(command, args, { cwd: root });
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited ${String(result.code)}\n${result.output.slice(-3000)}`,
    );
}
const compose = (...args: string[]) =>
  run("docker", ["compose", "-p", project, "-f", composeFile, ...args]);
const seconds = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function containerOf(service: string) {
  const [found] = await docker.listContainers({
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  if (!found) throw new Error(`no ${service} container`);
  return docker.getContainer(found.Id);
}

/** Resident memory of a container, without the page cache (as `docker stats` shows it). */
async function memory(service: string) {
  const stats = (await (await containerOf(service)).stats({ stream: false })) as {
    memory_stats: { usage?: number; stats?: Record<string, number> };
  };
  const { usage = 0, stats: detail = {} } = stats.memory_stats;
  return usage - (detail.inactive_file ?? detail.total_inactive_file ?? detail.cache ?? 0);
}

async function untilOk(url: string, timeoutMs = 30_000) {
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

async function main() {
  const services = ["company", "department", "employee"];
  step("Building the images (BuildKit, cached)");
  await compose("build");

  step("docker compose up with built images, to every service healthy");
  await compose("down", "--timeout", "5").catch(() => undefined);
  const composeUp = await seconds(() =>
    compose("up", "--detach", "--wait", "--wait-timeout", "120"),
  );
  console.log(`  ${composeUp.toFixed(1)} s`);

  step("Container start to /readyz 200, company service, 5 times");
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const company = await containerOf("company");
    await company.stop({ t: 5 });
    starts.push(
      await seconds(async () => {
        await company.start();
        await untilOk("http://127.0.0.1:8001/readyz");
      }),
    );
  }
  const startMedian = median(starts);
  console.log(
    `  ${starts.map((s) => s.toFixed(2)).join(", ")} s; median ${startMedian.toFixed(2)} s`,
  );
  await compose("up", "--detach", "--wait", "--wait-timeout", "60");

  step("Memory at rest");
  await sleep(3000);
  const idle = Object.fromEntries(
    await Promise.all(services.map(async (s) => [s, await memory(s)] as const)),
  );
  console.log(`  ${services.map((s) => `${s} ${mb(idle[s] ?? 0)} MB`).join(", ")}`);

  step(`Load: ${LOAD.connections} connections for ${LOAD.seconds} s each`);
  const client = new CosmosClient({
    endpoint: "http://127.0.0.1:8081",
    key: LOCAL_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const db = client.database("course");
  const companies = db.container("companies");
  const departments = db.container("departments");
  const employees = db.container("employees");
  const peak: Record<string, number> = {};
  const sampling = { on: true };
  const sampler = (async () => {
    while (sampling.on) {
      for (const s of services) peak[s] = Math.max(peak[s] ?? 0, await memory(s));
      await sleep(500);
    }
  })();

  const ceilingProcess = fork(join(import.meta.dirname, "ceiling.ts"), {
    execArgv: ["--import", "tsx"],
    stdio: "ignore",
  });
  const ceilingUrl = await new Promise<string>((resolve) => {
    ceilingProcess.once("message", (message) => {
      resolve(message as string);
    });
  });
  const ceiling = await http({ url: `${ceilingUrl}/companies/northwind` });
  ceilingProcess.kill("SIGTERM");

  // The same service on the host, without the container's CPU limit: separates the service's own
  // cost from the limit compose gives it.
  const hostService = fork(join(root, "services/company/src/server.ts"), {
    execArgv: ["--import", "tsx"],
    stdio: "ignore",
    env: {
      ...process.env,
      PORT: "18001",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      COSMOSDB_ENDPOINT_URL: "http://127.0.0.1:8081",
      COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
      SEED_DATA: "false",
    },
  });
  await untilOk("http://127.0.0.1:18001/readyz");
  const unlimited = await http({ url: "http://127.0.0.1:18001/companies/northwind" });
  hostService.kill("SIGTERM");

  const person = {
    firstName: "Bench",
    lastName: "Mark",
    email: "bench@northwind.example",
    role: "Load",
    startDate: "2025-01-01",
  };
  const rows: { name: string; service: Figures; direct: Figures }[] = [];
  rows.push({
    name: "point read `GET /companies/{id}`",
    service: await http({ url: "http://127.0.0.1:8001/companies/northwind" }),
    direct: await direct(() => companies.item("northwind", "northwind").read()),
  });
  rows.push({
    name: "single-partition list `GET /companies/{id}/departments`",
    service: await http({ url: "http://127.0.0.1:8002/companies/northwind/departments" }),
    direct: await direct(() =>
      departments.items
        .query(
          {
            query: "SELECT * FROM c WHERE c.companyId = @c",
            parameters: [{ name: "@c", value: "northwind" }],
          },
          { partitionKey: "northwind" },
        )
        .fetchAll(),
    ),
  });
  const employeesUrl = "/companies/northwind/departments/northwind-it/employees";
  rows.push({
    name: "write: `POST` then `DELETE` an employee",
    service: await http({
      url: "http://127.0.0.1:8003",
      requests: [
        {
          method: "POST",
          path: employeesUrl,
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
            path: `${employeesUrl}/${context.id ?? ""}`,
          }),
        },
      ],
    }),
    direct: await direct(async () => {
      const id = crypto.randomUUID();
      await employees.items.create({
        id,
        companyId: "northwind",
        departmentId: "northwind-it",
        ...person,
      });
      await employees.item(id, "northwind").delete();
    }),
  });
  sampling.on = false;
  await sampler;
  client.dispose();
  for (const row of rows) {
    console.log(
      `  ${row.name}: service ${row.service.rps.toFixed(0)} req/s (p50 ${row.service.p50} ms, p99 ${row.service.p99} ms), direct ${row.direct.rps.toFixed(0)} req/s, ratio ${(row.service.rps / row.direct.rps).toFixed(2)}`,
    );
  }
  console.log(
    `  bare Fastify from memory: ${ceiling.rps.toFixed(0)} req/s (p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms)`,
  );

  step("Image sizes");
  const base = await docker
    .getImage(process.env.DISTROLESS_IMAGE ?? "gcr.io/distroless/nodejs24-debian12:nonroot")
    .inspect();
  const sizes = await Promise.all(
    ["cosmosdb", ...services].map(async (s) => {
      const image = await docker.getImage(`advanced-docker/${s}:1.0.0`).inspect();
      return { name: s, size: image.Size, added: image.Size - base.Size };
    }),
  );
  for (const s of sizes)
    console.log(`  ${s.name}: ${mb(s.size)} MB, ${mb(s.added)} MB above its base`);

  step("Rebuild after a one-line source change, against a clean build (company image)");
  const dockerfile = ["-f", "services/company/Dockerfile", "-t", "advanced-docker-bench/company"];
  const build = (...extra: string[]) =>
    run("docker", ["build", ...extra, ...dockerfile, ...buildArgs, "."]);
  const clean = await seconds(() => build("--no-cache"));
  const source = join(root, "services/company/src/routes.ts");
  const original = readFileSync(source, "utf8");
  let rebuild: number;
  try {
    writeFileSync(source, `${original}// bench ${Date.now()}\n`);
    rebuild = await seconds(() => build());
  } finally {
    writeFileSync(source, original);
  }
  console.log(
    `  clean ${clean.toFixed(1)} s, after a one-line change ${rebuild.toFixed(1)} s, ratio ${(rebuild / clean).toFixed(2)}`,
  );

  step("Stopping the stack");
  await compose("down", "--timeout", "5");

  const pointRatio = (rows[0]?.service.rps ?? 0) / (rows[0]?.direct.rps ?? 1);
  const maxIdle = Math.max(...Object.values(idle));
  const verdict = (met: boolean) => (met ? "met" : "**missed**");
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const table = (figures: Figures) => `${figures.rps.toFixed(0)} | ${figures.p50} | ${figures.p99}`;
  const report = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu},
${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version} driving the load, services in
containers (Node.js 24, distroless runtime, 0.5 CPU and 256 MB each as compose sets them), the local
Cosmos DB server in a container. Loads run ${LOAD.connections} connections for ${LOAD.seconds} s on
loopback; the load generator shares the machine's cores with what it measures. Figures move between
runs by some percent; ratios taken in one run are the thing to compare.

## Throughput and latency

"Direct" is the same operation through the \`@azure/cosmos\` SDK from the host at the same
concurrency: the ratio service / direct is the service's overhead over its database.

| Operation | Service req/s | p50 ms | p99 ms | Direct req/s | p50 ms | p99 ms | Service / direct |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((row) => `| ${row.name} | ${table(row.service)} | ${row.direct.rps.toFixed(0)} | ${row.direct.p50.toFixed(1)} | ${row.direct.p99.toFixed(1)} | ${(row.service.rps / row.direct.rps).toFixed(2)} |`).join("\n")}
| point read, company service run on the host without a CPU limit | ${table(unlimited)} | | | | ${(unlimited.rps / (rows[0]?.direct.rps ?? 1)).toFixed(2)} |
| bare Fastify route, same JSON from memory (ceiling) | ${table(ceiling)} | | | | |

## Start-up, memory, images, rebuilds

| Figure | Value | Goal |
| --- | --- | --- |
| container start to \`/readyz\` 200 (company, median of 5) | ${startMedian.toFixed(2)} s (${starts.map((s) => s.toFixed(2)).join(", ")}) | under 1 s: ${verdict(startMedian < 1)} |
| \`docker compose up\` with built images to every service healthy | ${composeUp.toFixed(1)} s | |
${services.map((s) => `| ${s}: resident memory idle / under load | ${mb(idle[s] ?? 0)} MB / ${mb(peak[s] ?? 0)} MB | under 80 MB idle: ${verdict((idle[s] ?? 0) < 80 * 2 ** 20)} |`).join("\n")}
${sizes.map((s) => `| image \`advanced-docker/${s.name}\` | ${mb(s.size)} MB, ${mb(s.added)} MB above its base | |`).join("\n")}
| rebuild after a one-line source change / clean build | ${rebuild.toFixed(1)} s / ${clean.toFixed(1)} s = ${(rebuild / clean).toFixed(2)} | |
| point reads, service / direct SDK | ${pointRatio.toFixed(2)} | at least 0.8: ${verdict(pointRatio >= 0.8)} |

Largest idle service: ${mb(maxIdle)} MB.
`;
  writeFileSync(join(root, "docs/benchmarks.md"), report);
  console.log(`\n${report}\nWritten to docs/benchmarks.md`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await compose("down", "--timeout", "5").catch(() => undefined);
  process.exit(1);
});
