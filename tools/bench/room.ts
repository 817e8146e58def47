import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { ROOM_EXERCISES, ROOM_ROUTES, type RoomEvent } from "@course/room";
import { checkBody } from "../../room/test/helper.ts";
import { freePort, spawnRoom, type RoomProcess } from "../../room/test/process.ts";
import { KEPT_FROM } from "./render.ts";

// The room's figures for `npm run bench`: results ingested per second with 30 trainees sending
// at once, the delay from a report's POST to its event on the trainer's stream (p50/p99), and the
// room's memory with 30 trainees' day in it. The room runs in its own process, as `course room
// start` runs it, writing to a fresh data folder on this machine's disk (SQLite, synchronous=FULL).
// Bounded by the counts below; it writes its section of docs/benchmarks.md and prints it.

const TRAINEES = 30;
const REPORTS_PER_TRAINEE = 60;
const DELAY_SAMPLES = 200;
const KEY = "bench-key";
const CODE = "BENCH1";

export interface RoomFigures {
  trainees: number;
  reports: number;
  ingestPerSecond: number;
  delayMs: { p50: number; p99: number; samples: number };
  rssBytes: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function post(room: RoomProcess, path: string, body: object, token?: string) {
  const response = await fetch(`${room.base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${String(response.status)}`);
  return response.status === 204 ? undefined : ((await response.json()) as { token?: string });
}

/** The trainer's event stream: resolves each report id's wait when its event arrives. */
async function listen(room: RoomProcess) {
  const waiting = new Map<string, () => void>();
  const controller = new AbortController();
  const response = await fetch(`${room.base}${ROOM_ROUTES.events}?key=${KEY}`, {
    signal: controller.signal,
  });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no event stream");
  void (async () => {
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: "", done: true }));
      if (done) return;
      buffered += value;
      const parts = buffered.split("\n\n");
      buffered = parts.pop() ?? "";
      for (const line of parts.flatMap((part) => part.split("\n")))
        if (line.startsWith("data: ")) {
          const event = JSON.parse(line.slice(6)) as RoomEvent;
          if (event.reportId !== undefined) waiting.get(event.reportId)?.();
        }
    }
  })();
  return {
    eventFor: (id: string) =>
      new Promise<void>((resolve) => {
        waiting.set(id, resolve);
      }),
    close: () => {
      controller.abort();
    },
  };
}

function rssOf(pid: number | undefined) {
  const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

export async function measureRoom(): Promise<RoomFigures> {
  console.log(
    `\n▶ The room: ${String(TRAINEES)} trainees, results ingested, report→event delay, memory`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), "room-bench-"));
  const room = await spawnRoom({ dataDir, port: await freePort(), code: CODE, trainerKey: KEY });
  try {
    const tokens: string[] = [];
    for (let i = 0; i < TRAINEES; i++) {
      const joined = await post(room, ROOM_ROUTES.join, {
        code: CODE,
        name: `Trainee ${String(i + 1)}`,
      });
      tokens.push(joined?.token ?? "");
    }
    // Ingest: every trainee sends its reports one after another, all trainees at once.
    const started = performance.now();
    await Promise.all(
      tokens.map(async (token, t) => {
        for (let i = 0; i < REPORTS_PER_TRAINEE; i++) {
          const exercise = ROOM_EXERCISES[(t + i) % ROOM_EXERCISES.length] ?? 1;
          await post(
            room,
            ROOM_ROUTES.reports,
            checkBody(exercise, i % 3 === 0 ? undefined : `check-${String(i % 4)}`),
            token,
          );
        }
      }),
    );
    const reports = TRAINEES * REPORTS_PER_TRAINEE;
    const ingestPerSecond = reports / ((performance.now() - started) / 1000);
    console.log(
      `  ${String(reports)} reports from ${String(TRAINEES)} trainees at once: ${ingestPerSecond.toFixed(0)} a second`,
    );

    // Delay: one report at a time, from the POST's start to its event on the trainer's stream.
    const stream = await listen(room);
    const delays: number[] = [];
    for (let i = 0; i < DELAY_SAMPLES; i++) {
      const body = checkBody(
        ROOM_EXERCISES[i % ROOM_EXERCISES.length] ?? 1,
        i % 2 ? "size" : undefined,
      );
      const event = stream.eventFor(body.id);
      const sent = performance.now();
      await post(room, ROOM_ROUTES.reports, body, tokens[i % TRAINEES]);
      await event;
      delays.push(performance.now() - sent);
    }
    stream.close();
    delays.sort((a, b) => a - b);
    const delayMs = {
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      samples: delays.length,
    };
    console.log(
      `  report → event: p50 ${delayMs.p50.toFixed(1)} ms, p99 ${delayMs.p99.toFixed(1)} ms (${String(delays.length)} reports)`,
    );

    const rssBytes = rssOf(room.child.pid);
    console.log(
      `  memory (RSS) with ${String(TRAINEES)} trainees and ${String(reports + DELAY_SAMPLES)} reports: ${(rssBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    return {
      trainees: TRAINEES,
      reports: reports + DELAY_SAMPLES,
      ingestPerSecond,
      delayMs,
      rssBytes,
    };
  } finally {
    room.child.kill("SIGTERM");
    await room.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const HEADING = "## The room";

export function renderRoom(figures: RoomFigures, date: string) {
  const machine = `${String(cpus().length)} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  return `${HEADING}

Measured by \`npm run bench\` (tools/bench/room.ts) on ${date}: ${machine}, Node.js ${process.version}. The room runs
in its own process, from its sources through tsx as the course tool's \`room start\` runs it, on a fresh data folder: SQLite in WAL mode with
synchronous=FULL, so each 202 waits for its row on disk. ${String(figures.trainees)} trainees post at once, each one report
after another, over keep-alive HTTP on 127.0.0.1.

| Figure | Value |
| --- | --- |
| results ingested, ${String(figures.trainees)} trainees at once | ${figures.ingestPerSecond.toFixed(0)} a second |
| report → trainer's event (POST sent to SSE event read), p50 | ${figures.delayMs.p50.toFixed(1)} ms |
| report → trainer's event, p99 (${String(figures.delayMs.samples)} reports) | ${figures.delayMs.p99.toFixed(1)} ms |
| room's memory (RSS) with ${String(figures.trainees)} trainees, ${String(figures.reports)} reports | ${(figures.rssBytes / 2 ** 20).toFixed(1)} MiB |
`;
}

/** Puts the room's section on the page, after the marker that the main run keeps as written. */
export function withRoomSection(page: string, section: string) {
  const withMarker = page.includes(KEPT_FROM) ? page : `${page.trimEnd()}\n\n${KEPT_FROM}\n`;
  const start = withMarker.indexOf(HEADING, withMarker.indexOf(KEPT_FROM));
  if (start === -1) return `${withMarker.trimEnd()}\n\n${section}`;
  const next = withMarker.indexOf("\n## ", start + HEADING.length);
  return `${withMarker.slice(0, start)}${section}${next === -1 ? "" : withMarker.slice(next)}`;
}

/** The step main.ts runs after writing the page; also runs alone: `npx tsx tools/bench/room.ts`. */
export async function benchRoom(page: string) {
  const figures = await measureRoom();
  const section = renderRoom(figures, new Date().toISOString().slice(0, 10));
  writeFileSync(page, withRoomSection(readFileSync(page, "utf8"), section));
  console.log(`\n${section}`);
}

if (process.argv[1] === import.meta.filename)
  benchRoom(join(import.meta.dirname, "../../docs/benchmarks.md")).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
