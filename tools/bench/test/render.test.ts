import assert from "node:assert/strict";
import { test } from "node:test";
import type { BenchFigures, Machine } from "../figures.ts";
import { limitsOf } from "../limits.ts";
import { KEPT_FROM, keptSections, renderBenchmarks } from "../render.ts";

const MB = 2 ** 20;
const load = (rps: number) => ({ rps, p50: 7, p99: 61, errors: 0 });

// The limits as `docker compose config --format json` resolves compose.yaml's
// `mem_limit: 256m` and `cpus: 1.0`.
const config = {
  services: Object.fromEntries(
    ["company", "department", "employee", "cosmosdb"].map((name) => [
      name,
      { mem_limit: "268435456", cpus: 1 },
    ]),
  ),
};

const figures: BenchFigures = {
  limits: limitsOf(config, "solutions/05-compose-employees/compose.yaml", [
    "company",
    "department",
    "employee",
    "cosmosdb",
  ]),
  composeUpSeconds: 8.7,
  startup: {
    service: "company",
    seconds: [1.56, 0.9, 0.95, 0.93, 0.91],
    phases: [0.31, 0.12, 0.14, 0.13, 0.12].map((engine) => ({ engine, listen: 0.42, ready: 0.35 })),
  },
  throughput: {
    load: { connections: 10, seconds: 5 },
    rows: [
      {
        operation: "point read `GET /companies/{id}`",
        service: load(979),
        direct: { rps: 1661, p50: 4.94, p99: 22.2, errors: 0 },
        ratio: 979 / 1661,
      },
      { operation: "bare Fastify route, same JSON from memory (ceiling)", service: load(15117) },
    ],
    pointReadRatio: 979 / 1661,
    floorRatio: 979 / 1400,
    floorRatios: [0.69, 0.7, 0.72],
    warnFloorRatio: 1190 / 1400,
  },
  memory: [{ service: "company", idleBytes: 39.8 * MB, loadBytes: 66.3 * MB }],
  images: {
    base: "course-offline/distroless-nodejs:24-nonroot",
    baseBytes: 136.7 * MB,
    images: [{ service: "company", image: "advanced-docker/company:1.0.0", bytes: 140.3 * MB }],
  },
  rebuild: { service: "company", cleanSeconds: 30.7, changedSeconds: 2.6 },
  watch: { service: "company", savedToServedSeconds: 6.2 },
};

const machine: Machine = {
  date: "2026-11-27",
  cpuCount: 2,
  cpuModel: "AMD EPYC",
  memoryBytes: 24 * 2 ** 30,
  node: "v20.20.2",
};

const page = renderBenchmarks(figures, machine);

test("the machine line names the date, the cores, the memory and Node.js", () => {
  assert.match(page, /on 2026-11-27: 2 × AMD EPYC, 24 GiB, Node\.js v20\.20\.2/);
});

test("the limits are the ones read from the compose config, never a stale 0.5 CPU", () => {
  assert.match(page, /1 CPU and 256 MB each as `solutions\/05-compose-employees\/compose\.yaml`/);
  assert.doesNotMatch(page, /0\.5 CPU/);
});

test("limits that differ between services are given service by service", () => {
  const mixed = limitsOf(
    { services: { company: { cpus: "0.5", mem_limit: 128 * MB }, cosmosdb: {} } },
    "compose.yaml",
    ["company", "cosmosdb"],
  );
  const text = renderBenchmarks({ ...figures, limits: mixed }, machine);
  assert.match(text, /company 0\.5 CPU and 128 MB, cosmosdb no CPU limit and no memory limit/);
});

test("the throughput table has a row per operation, direct figures where there are some", () => {
  assert.match(page, /\| Operation \| Service req\/s \| p50 ms \| p99 ms \| Direct req\/s \|/);
  assert.match(
    page,
    /\| point read `GET \/companies\/\{id\}` \| 979 \| 7 \| 61 \| 1661 \| 4\.9 \| 22\.2 \| 0\.59 \|/,
  );
  assert.match(
    page,
    /\| bare Fastify route, same JSON from memory \(ceiling\) \| 15117 \| 7 \| 61 \| +\| +\| +\| +\|/,
  );
});

test("the figures table has start-up, compose up, memory, images, rebuild and the goals", () => {
  assert.match(page, /\| Figure \| Value \| Goal \|/);
  assert.match(
    page,
    /median of 5\) \| 0\.93 s \(1\.56, 0\.90, 0\.95, 0\.93, 0\.91\) \| under 1 s: met \|/,
  );
  assert.match(page, /`docker compose up` .* \| 8\.7 s \|/);
  assert.match(
    page,
    /\| company: resident memory idle \/ under load \| 39\.8 MB \/ 66\.3 MB \| under 80 MB idle: met \|/,
  );
  assert.match(
    page,
    /\| image `advanced-docker\/company:1\.0\.0` \| 140\.3 MB, 3\.6 MB above its base \|/,
  );
  assert.match(page, /\| 2\.6 s \/ 30\.7 s = 0\.08 \|/);
  assert.match(page, /\| point reads, service \/ direct SDK \(one hop\) \| 0\.59 \| \|/);
  assert.match(page, /runtime base `course-offline\/distroless-nodejs:24-nonroot`/);
});

test("sections measured elsewhere, after the marker, survive a new run; none without it", () => {
  const section = `${KEPT_FROM}\n\n## On a swarm\n\n| a | b |\n`;
  const again = renderBenchmarks(figures, machine, keptSections(`${page}\n${section}`));
  assert.ok(again.endsWith(`MB.\n\n${section}`));
  assert.equal(keptSections(page), "");
});

test("each start-up phase is a row with the median of the tries and every try", () => {
  assert.match(
    page,
    /\| start-up phase: `docker start` called to the process running \(State\.StartedAt\) \| 0\.130 s \(0\.310, 0\.120, 0\.140, 0\.130, 0\.120\) \| \|/,
  );
  assert.match(page, /\| start-up phase: process running to its log line .* \| 0\.420 s /);
  assert.match(page, /\| start-up phase: listening to `\/readyz` 200 .* \| 0\.350 s /);
});

test("the goal is service / floor; the LOG_LEVEL=warn ratio is a figure without one", () => {
  assert.match(
    page,
    /\| point reads, service \/ floor .* \| 0\.70 \(rounds: 0\.69, 0\.70, 0\.72\) \| at least 0\.8: \*\*missed\*\* \|/,
  );
  assert.match(page, /\| point reads, service at `LOG_LEVEL=warn` \/ floor .* \| 0\.85 \| \|/);
  const met = renderBenchmarks(
    { ...figures, throughput: { ...figures.throughput, floorRatio: 0.84 } },
    machine,
  );
  assert.match(met, /\| 0\.84 \(rounds: [^)]*\) \| at least 0\.8: met \|/);
  assert.match(page, /take turns, 3 rounds each after a warm-up/);
});
