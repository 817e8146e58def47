import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  joinedRoom,
  joinRoom,
  leaveRoom,
  queued,
  roomWanted,
  sendToRoom,
  SEND_BUDGET_MS,
} from "../src/lib/room-client.ts";
import { exported, openRoom, readRoomState, traineeConfig } from "./room-helper.ts";

// The trainee's side of the room against the real room server: joining, sending a report, the
// room away (the send gives up within its budget and the report waits), and the room back.

const failing = {
  exercise: 3,
  title: "Multi-stage builds",
  passed: false,
  checks: [
    { id: "build", title: "The image builds", passed: true, found: "built", expected: "built" },
    {
      id: "path-bin",
      title: "PATH includes node_modules/.bin",
      passed: false,
      found: "PATH=/usr/bin",
      expected: "node_modules/.bin on PATH",
      hint: "ENV PATH=…",
    },
  ],
  image: { tag: "course-check:ex3", size: 150_000_000 },
  log: ["a line of the container's own output"],
};

/** How long a send takes, in milliseconds, with what it answered. */
async function timed(send: () => Promise<{ sent: number }>) {
  const started = performance.now();
  const result = await send();
  return { ...result, ms: performance.now() - started };
}

test("join: a wrong code is refused; the right one stores the room and the trainee's token", async (t) => {
  const config = traineeConfig(t);
  const room = await openRoom(t);
  await assert.rejects(joinRoom(room.address, "WRONG1", "Ana"), /refused the code WRONG1/);
  assert.equal(await joinedRoom(), undefined);

  const joined = await joinRoom(room.address.replace("http://", ""), room.code, "Ana Lima");
  assert.equal(joined.address, room.address);
  assert.deepEqual(await joinedRoom(), joined);
  assert.ok(existsSync(join(config, "room.json")));
  const state = readRoomState(room.dataDir);
  assert.deepEqual(
    state.trainees.map((trainee) => [trainee.id, trainee.name]),
    [[joined.traineeId, "Ana Lima"]],
  );
});

test("join: no room at the address says so in one line", async (t) => {
  traineeConfig(t);
  const room = await openRoom(t);
  await room.close();
  await assert.rejects(joinRoom(room.address, room.code, "Ana"), /no room answers at http:\/\/127/);
  await assert.rejects(joinRoom("not a url", "X", "Ana"), /is not a room address/);
});

test("send: the room stores the check's results, not its image details or container log", async (t) => {
  traineeConfig(t);
  const room = await openRoom(t);
  const joined = await joinRoom(room.address, room.code, "Ana");
  assert.deepEqual(await sendToRoom("check", failing), { sent: 1 });
  assert.deepEqual(await queued(), []);

  const { reports } = await exported(room);
  assert.equal(reports.length, 1);
  const [row] = reports;
  assert.equal(row?.traineeId, joined.traineeId);
  assert.deepEqual(Object.keys(row.report as object).sort(), [
    "checks",
    "exercise",
    "passed",
    "title",
  ]);
  const cell = readRoomState(room.dataDir).cells.find((c) => c.exercise === 3);
  assert.equal(cell?.status, "failing");
  assert.equal(cell.failing?.id, "path-bin");
});

test("send: the doctor's findings and the laptop's system", async (t) => {
  traineeConfig(t);
  const room = await openRoom(t);
  await joinRoom(room.address, room.code, "Ana");
  const doctor = {
    ok: false,
    findings: [
      { id: "engine", status: "ok", title: "Docker engine", detail: "28.5.2 (linux/amd64)" },
      { id: "disk", status: "fail", title: "Free disk", detail: "2 GB", advice: "Free 3 GB" },
    ],
  };
  assert.deepEqual(await sendToRoom("doctor", doctor), { sent: 1 });
  const trainee = readRoomState(room.dataDir).trainees[0];
  assert.equal(trainee?.doctor?.ok, false);
  assert.deepEqual(trainee.doctor.failing, ["Free disk"]);
  const stored = (await exported(room)).reports[0]?.report as { machine?: { arch?: string } };
  assert.equal(stored.machine?.arch, process.arch);
});

test("the room stopped: the send gives up within its budget, the report waits and goes when the room is back", async (t) => {
  const config = traineeConfig(t);
  const first = await openRoom(t);
  await joinRoom(first.address, first.code, "Ana");
  await first.close();

  const away = await timed(() => sendToRoom("check", failing));
  assert.equal(away.sent, 0);
  assert.ok(away.ms < SEND_BUDGET_MS * 1.5, `gave up after ${away.ms.toFixed(0)} ms`);
  const second = await timed(() => sendToRoom("check", { ...failing, passed: true, checks: [] }));
  assert.equal(second.sent, 0);
  assert.equal(readdirSync(join(config, "outbox")).length, 2);

  // The same room (its data folder, its port) starts again: the queue goes first, oldest first.
  const back = await openRoom(t, { dataDir: first.dataDir, port: first.port });
  const third = { ...failing, exercise: 4, title: "Non-root" };
  assert.deepEqual(await sendToRoom("check", third), { sent: 3 });
  assert.deepEqual(await queued(), []);
  const { reports } = await exported(back);
  assert.deepEqual(
    reports.map((r) => [r.exercise, r.passed]),
    [
      [3, false],
      [3, true],
      [4, false],
    ],
  );
});

test("leave forgets the room and what waited for it; --no-room and COURSE_ROOM=off are read", async (t) => {
  const config = traineeConfig(t);
  const room = await openRoom(t);
  await joinRoom(room.address, room.code, "Ana");
  await room.close();
  await sendToRoom("check", failing);
  assert.equal((await queued()).length, 1);
  assert.equal(await leaveRoom(), true);
  assert.equal(await joinedRoom(), undefined);
  assert.ok(!existsSync(join(config, "outbox")));
  assert.equal(await leaveRoom(), false);
  // Not joined: nothing is queued, nothing is sent.
  assert.deepEqual(await sendToRoom("check", failing), { sent: 0 });
  assert.deepEqual(await queued(), []);

  assert.equal(roomWanted(undefined), true);
  assert.equal(roomWanted(false), false);
  process.env.COURSE_ROOM = "off";
  t.after(() => delete process.env.COURSE_ROOM);
  assert.equal(roomWanted(undefined), false);
});
