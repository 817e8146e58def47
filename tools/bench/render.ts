import type { BenchFigures, LoadFigures, Machine, ServiceLimits } from "./figures.ts";

// docs/benchmarks.md from one run's figures and the machine they were taken on: a pure function,
// so that what the page says (the limits above all) comes from what was read, never from text.
// The prose keeps one sentence a line, as the figures make its lines long or short.

/** The goals the course sets; the page says whether this run met them. */
export const GOALS = { startSeconds: 1, idleBytes: 80 * 2 ** 20, floorRatio: 0.8 };

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const verdict = (met: boolean) => (met ? "met" : "**missed**");
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function cpuText(cpus: number | undefined) {
  if (cpus === undefined) return "no CPU limit";
  return `${String(cpus)} CPU${cpus > 1 ? "s" : ""}`;
}

function memoryText(bytes: number | undefined) {
  if (bytes === undefined) return "no memory limit";
  const size = bytes / 2 ** 20;
  return `${Number.isInteger(size) ? String(size) : size.toFixed(1)} MB`;
}

export const limitText = (limits: ServiceLimits) =>
  `${cpuText(limits.cpus)} and ${memoryText(limits.memoryBytes)}`;

/** "1 CPU and 256 MB each", or each service's own when they differ. */
function limitsText(services: Record<string, ServiceLimits>) {
  const texts = Object.entries(services).map(([name, limits]) => [name, limitText(limits)]);
  const distinct = new Set(texts.map(([, text]) => text));
  if (distinct.size === 1) return `${[...distinct].join("")} each`;
  return texts.map(([name, text]) => `${String(name)} ${String(text)}`).join(", ");
}

/** autocannon's latencies come in whole milliseconds; the SDK's are timed finer (digits). */
function loadCells(figures: LoadFigures, digits?: number) {
  const ms = (value: number) => (digits === undefined ? String(value) : value.toFixed(digits));
  return `${figures.rps.toFixed(0)} | ${ms(figures.p50)} | ${ms(figures.p99)}`;
}

/** Sections measured elsewhere (the swarm test) follow this line; a new run keeps them. */
export const KEPT_FROM = "<!-- Measured elsewhere, not by npm run bench: kept as written. -->";

/** What follows KEPT_FROM on the page as it was, marker included; nothing when it has none. */
export function keptSections(previous: string) {
  const at = previous.indexOf(KEPT_FROM);
  return at === -1 ? "" : `\n${previous.slice(at)}`;
}

const PHASES = [
  ["engine", "`docker start` called to the process running (State.StartedAt)"],
  ["listen", "process running to its log line `Server listening` (module load, app, listen)"],
  ["ready", "listening to `/readyz` 200 (the database's first answers: provisioning)"],
] as const;

/** A row per start-up phase: the median of the tries, then each try. */
function phaseRows(startup: BenchFigures["startup"]) {
  return PHASES.map(([key, text]) => {
    const values = startup.phases.map((p) => p[key]);
    return `| start-up phase: ${text} | ${median(values).toFixed(3)} s (${values.map((v) => v.toFixed(3)).join(", ")}) | |`;
  }).join("\n");
}

export function renderBenchmarks(figures: BenchFigures, machine: Machine, kept = ""): string {
  const { limits, throughput, startup, memory, images, rebuild, watch } = figures;
  const startMedian = median(startup.seconds);
  const maxIdle = Math.max(...memory.map((m) => m.idleBytes));
  const rows = throughput.rows.map(
    (row) =>
      `| ${row.operation} | ${loadCells(row.service)} | ${row.direct ? loadCells(row.direct, 1) : " | | "} | ${row.ratio === undefined ? "" : row.ratio.toFixed(2)} |`,
  );
  return `# Benchmarks

Measured by \`npm run bench\` on ${machine.date}: ${machine.cpuCount} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node.js ${machine.node} driving the load.
The services and the local Cosmos DB server run in containers (runtime base \`${images.base}\`), with ${limitsText(limits.services)} as \`${limits.composeFile}\` sets them.
Loads run ${throughput.load.connections} connections for ${throughput.load.seconds} s on loopback; the load generator shares the machine's cores with what it measures.
Figures move between runs by some percent; ratios taken in one run are the thing to compare.

## Throughput and latency

"Direct" is the same operation through the \`@azure/cosmos\` SDK from the host at the same
concurrency (one hop); the last column is each row's req/s over it.
The floor is a bare Fastify route that forwards the point read to the same database through the
SDK (no validation, no logging, no response schema), bundled like the services and run on their
runtime base in a container with the company service's limits and network: two hops, as the service.
The service's point read, the floor and the service at \`LOG_LEVEL=warn\` take turns, ${throughput.floorRatios.length} rounds each after a warm-up; each row is its median round.

| Operation | Service req/s | p50 ms | p99 ms | Direct req/s | p50 ms | p99 ms | Service / direct |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

## Start-up, memory, images, rebuilds

| Figure | Value | Goal |
| --- | --- | --- |
| container start to \`/readyz\` 200 (${startup.service}, median of ${startup.seconds.length}) | ${startMedian.toFixed(2)} s (${startup.seconds.map((s) => s.toFixed(2)).join(", ")}) | under ${GOALS.startSeconds} s: ${verdict(startMedian < GOALS.startSeconds)} |
${phaseRows(startup)}
| \`docker compose up\` with built images to every service healthy | ${figures.composeUpSeconds.toFixed(1)} s | |
${memory.map((m) => `| ${m.service}: resident memory idle / under load | ${mb(m.idleBytes)} MB / ${mb(m.loadBytes)} MB | under ${mb(GOALS.idleBytes).replace(/\.0$/, "")} MB idle: ${verdict(m.idleBytes < GOALS.idleBytes)} |`).join("\n")}
${images.images.map((i) => `| image \`${i.image}\` | ${mb(i.bytes)} MB, ${mb(i.bytes - images.baseBytes)} MB above its base | |`).join("\n")}
| rebuild after a one-line source change / clean build (${rebuild.service}) | ${rebuild.changedSeconds.toFixed(1)} s / ${rebuild.cleanSeconds.toFixed(1)} s = ${(rebuild.changedSeconds / rebuild.cleanSeconds).toFixed(2)} | |
| \`docker compose watch\`: a route change saved to the new answer served (${watch.service}) | ${watch.savedToServedSeconds.toFixed(1)} s | |
| point reads, service / floor (a bare route forwarding them through the SDK; two hops each, same limits) | ${throughput.floorRatio.toFixed(2)} (rounds: ${throughput.floorRatios.map((r) => r.toFixed(2)).join(", ")}) | at least ${GOALS.floorRatio}: ${verdict(throughput.floorRatio >= GOALS.floorRatio)} |
| point reads, service at \`LOG_LEVEL=warn\` / floor (the default stays \`info\`: one line per request, written in batches) | ${throughput.warnFloorRatio.toFixed(2)} | |
| point reads, service / direct SDK (one hop) | ${throughput.pointReadRatio.toFixed(2)} | |

Largest idle service: ${mb(maxIdle)} MB.
${kept}`;
}
