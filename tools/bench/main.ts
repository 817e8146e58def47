// `npm run bench`: runs the stack in containers and measures it, side by side in one run, then
// writes the figures to docs/benchmarks.md with the machine and the date, and prints the page.
// Bounded: each load lasts LOAD.seconds at LOAD.connections; nothing here is a pass/fail test.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { BenchFigures, Machine } from "./figures.ts";
import { keptSections, renderBenchmarks } from "./render.ts";
import * as steps from "./steps.ts";
import { compose } from "./compose.ts";
import { benchRoom } from "./room.ts";

const page = join(import.meta.dirname, "../../docs/benchmarks.md");

async function main() {
  const { config, limits } = await steps.readLimits();
  const composeUpSeconds = await steps.composeUp();
  const startup = await steps.startup();
  const idle = await steps.idleMemory();
  const { throughput, peak } = await steps.underLoad();
  const images = await steps.imageSizes(config);
  const rebuild = await steps.rebuild();
  const watch = await steps.watch();
  await steps.stop();

  const figures: BenchFigures = {
    limits,
    composeUpSeconds,
    startup,
    throughput,
    memory: steps.memoryFigures(idle, peak),
    images,
    rebuild,
    watch,
  };
  const machine: Machine = {
    date: new Date().toISOString().slice(0, 10),
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown CPU",
    memoryBytes: totalmem(),
    node: process.version,
  };
  const previous = existsSync(page) ? readFileSync(page, "utf8") : "";
  const report = renderBenchmarks(figures, machine, keptSections(previous));
  writeFileSync(page, report);
  console.log(`\n${report}\nWritten to docs/benchmarks.md`);
  await benchRoom(page);
}

// The run ends when the page is written: the measuring clients' keep-alive sockets (the SDK's,
// the engine's) would otherwise hold the process open after the stack is gone.
main().then(
  () => process.exit(0),

  async (error: unknown) => {
    console.error(error);
    await compose("down", "--timeout", "5").catch(() => undefined);
    process.exit(1);
  },
);
