import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOM_EXERCISES, ROOM_ROUTES, type RoomExport, type RoomState } from "@course/room";
import { checkBody } from "../room/test/helper.ts";
import { freePort, spawnRoom, type RoomProcess } from "../room/test/process.ts";

// 30 trainees × 6 exercises × 3 runs, all at once, against the room in its own process. Midway
// the room is killed with SIGKILL and started again on the same data; each trainee keeps its
// unsent report and sends it when the room is back. At the end every report the room had
// acknowledged is in the export, each once, and the page's state shows every trainee's last run.

const TRAINEES = 30;
const RUNS = 3;
const KILL_AFTER = 200;

test("30 trainees report at once; a SIGKILL mid-load loses no acknowledged result", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "room-load-"));
  const port = await freePort();
  const secrets = { code: "LOAD42", trainerKey: "load-test-key" };
  let room: RoomProcess = await spawnRoom({ dataDir, port, ...secrets });
  t.after(() => {
    room.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = room.base;
  let back: Promise<void> | undefined;

  const post = (path: string, body: object, token?: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });

  const trainees = await Promise.all(
    Array.from({ length: TRAINEES }, async (_, i) => {
      const response = await post(ROOM_ROUTES.join, {
        code: secrets.code,
        name: `Trainee ${String(i + 1)}`,
      });
      assert.equal(response.status, 201);
      return (await response.json()) as { token: string; traineeId: string };
    }),
  );

  const acknowledged = new Set<string>();
  const lastRun = new Map<string, boolean>();
  let killed = false;
  let resent = 0;

  async function killAndRestart() {
    room.child.kill("SIGKILL");
    await room.exited;
    room = await spawnRoom({ dataDir, port, ...secrets });
  }

  async function trainee(token: string, traineeId: string, seed: number) {
    for (let run = 0; run < RUNS; run++)
      for (const exercise of ROOM_EXERCISES) {
        // The last run passes; earlier ones fail on one of two checks.
        const passed = run === RUNS - 1 || (seed + run + exercise) % 3 === 0;
        const failing = `check-${String((seed + exercise) % 2)}`;
        const body = checkBody(exercise, passed ? undefined : failing);
        // Until acknowledged: an unsent report waits for the room and goes again (the CLI's outbox).
        for (let attempt = 0; ; attempt++) {
          try {
            const response = await post(ROOM_ROUTES.reports, body, token);
            if (response.status === 202) break;
            assert.fail(`report answered ${String(response.status)}: ${await response.text()}`);
          } catch (error) {
            if (error instanceof assert.AssertionError) throw error;
            if (attempt > 50) throw error;
            resent++;
            await (back ?? new Promise((resolve) => setTimeout(resolve, 100)));
          }
        }
        acknowledged.add(body.id);
        lastRun.set(`${traineeId}/${String(exercise)}`, passed);
        if (!killed && acknowledged.size >= KILL_AFTER) {
          killed = true;
          back = killAndRestart();
        }
      }
  }

  await Promise.all(trainees.map(({ token, traineeId }, i) => trainee(token, traineeId, i)));
  await back;
  assert.ok(killed, "the room was killed mid-load");
  assert.ok(resent > 0, "some reports were sent again after the restart");

  const headers = { authorization: `Bearer ${secrets.trainerKey}` };
  const exported = (await (
    await fetch(`${room.base}${ROOM_ROUTES.exportJson}`, { headers })
  ).json()) as RoomExport;
  const stored = exported.reports.map((r) => r.id);
  assert.equal(stored.length, TRAINEES * ROOM_EXERCISES.length * RUNS, "each report stored once");
  const missing = [...acknowledged].filter((id) => !stored.includes(id));
  assert.deepEqual(missing, [], "no acknowledged report missing");

  const state = (await (
    await fetch(`${room.base}${ROOM_ROUTES.state}`, { headers })
  ).json()) as RoomState;
  assert.equal(state.trainees.length, TRAINEES);
  for (const cell of state.cells) {
    assert.equal(cell.runs, RUNS, `${cell.traineeId} exercise ${String(cell.exercise)}`);
    const passed = lastRun.get(`${cell.traineeId}/${String(cell.exercise)}`);
    assert.equal(cell.status, passed ? "passed" : "failing");
  }
  for (const summary of state.perExercise) assert.equal(summary.passed, TRAINEES);
});
