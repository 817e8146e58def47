import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { RoomExport, RoomState } from "../src/contract.ts";
import { asTrainer, build, checkBody, join, KEY, report } from "./helper.ts";

test("a trainee joins with the code and their check result is on the trainer's state", async (t) => {
  const { app } = await build(t);
  const ada = await join(app, "  Ada   Lovelace ");
  assert.equal((await report(app, ada.token, checkBody(1, "size"))).statusCode, 202);
  const state = (await app.inject({ url: "/api/state", headers: asTrainer })).json<RoomState>();
  assert.deepEqual(
    state.trainees.map((tr) => tr.name),
    ["Ada Lovelace"],
  );
  const cell = state.cells.find((c) => c.traineeId === ada.traineeId && c.exercise === 1);
  assert.equal(cell?.status, "failing");
  assert.equal(cell.failing?.title, "Check size");
  assert.equal(state.cells.find((c) => c.exercise === 2)?.status, "not-started");
  const [first] = state.perExercise;
  assert.equal(first?.commonFailure?.hint, "Fix size");
  assert.equal(first.stuckLongest?.name, "Ada Lovelace");
});

test("a report resent with the same id is stored once", async (t) => {
  const { app } = await build(t);
  const { token } = await join(app, "Grace");
  const body = checkBody(2);
  for (let i = 0; i < 3; i++) assert.equal((await report(app, token, body)).statusCode, 202);
  const exported = (
    await app.inject({ url: "/api/export.json", headers: asTrainer })
  ).json<RoomExport>();
  assert.equal(exported.reports.length, 1);
  assert.equal(exported.reports[0]?.passed, true);
});

test("a failing cell keeps its 'since' while the same check fails, and passing records when", async (t) => {
  const { app } = await build(t);
  const { token, traineeId } = await join(app, "Linus");
  const first = "2026-01-01T09:00:00.000Z";
  await report(app, token, checkBody(3, "multi-stage", first));
  await report(app, token, checkBody(3, "multi-stage", "2026-01-01T09:05:00.000Z"));
  let state = (await app.inject({ url: "/api/state", headers: asTrainer })).json<RoomState>();
  let cell = state.cells.find((c) => c.traineeId === traineeId && c.exercise === 3);
  assert.equal(cell?.failingSince, first);
  assert.equal(cell.runs, 2);
  await report(app, token, checkBody(3, undefined, "2026-01-01T09:10:00.000Z"));
  state = (await app.inject({ url: "/api/state", headers: asTrainer })).json<RoomState>();
  cell = state.cells.find((c) => c.traineeId === traineeId && c.exercise === 3);
  assert.equal(cell?.status, "passed");
  assert.equal(cell.passedAt, "2026-01-01T09:10:00.000Z");
  assert.equal(state.perExercise[2]?.passed, 1);
});

test("a doctor report gives the trainee's summary; images loaded are shown", async (t) => {
  const { app } = await build(t);
  const { token, traineeId } = await join(app, "Margaret");
  const doctor = {
    kind: "doctor",
    id: randomUUID(),
    at: new Date().toISOString(),
    report: {
      ok: false,
      machine: { platform: "darwin", arch: "arm64" },
      findings: [
        {
          id: "engine",
          status: "ok",
          title: "Docker Engine",
          detail: "28.5.0 (API 1.51), linux/arm64, at unix:///var/run/docker.sock",
        },
        {
          id: "images",
          status: "fail",
          title: "Class images",
          detail: "3 of 7 present; missing: alpine",
        },
      ],
    },
  };
  assert.equal((await report(app, token, doctor)).statusCode, 202);
  const loaded = await app.inject({
    method: "POST",
    url: "/api/images/loaded",
    headers: { authorization: `Bearer ${token}` },
    payload: { archive: "class.tar", sha256: "a".repeat(64), platform: "linux/arm64" },
  });
  assert.equal(loaded.statusCode, 204);
  const state = (await app.inject({ url: `/api/state?key=${KEY}` })).json<RoomState>();
  const trainee = state.trainees.find((tr) => tr.id === traineeId);
  assert.deepEqual(
    { ...trainee?.doctor, at: undefined },
    {
      at: undefined,
      ok: false,
      system: "darwin",
      arch: "arm64",
      engine: "28.5.0 (API 1.51), linux/arm64",
      images: "3 of 7 present",
      failing: ["Class images"],
    },
  );
  assert.equal(trainee?.imagesLoaded[0]?.archive, "class.tar");
});

test("the export has every report as JSON and as CSV, formulas defused", async (t) => {
  const { app } = await build(t);
  const { token } = await join(app, '=HYPERLINK("x")');
  await report(app, token, checkBody(1));
  await report(app, token, checkBody(2, "user"));
  const csv = await app.inject({ url: "/api/export.csv", headers: asTrainer });
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers["content-type"] ?? "", /text\/csv/);
  const lines = csv.body.trim().split("\r\n");
  assert.equal(lines.length, 3);
  assert.match(lines[1] ?? "", /,"'=HYPERLINK\(""x""\)",/);
  assert.match(lines[2] ?? "", /,check,2,false,Check user,/);
});

test("the page and its script are served with a strict Content-Security-Policy", async (t) => {
  const { app } = await build(t);
  const page = await app.inject({ url: `/?key=${KEY}` });
  assert.equal(page.statusCode, 200);
  const csp = String(page.headers["content-security-policy"]);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(page.body, /<script>|\son[a-z]+=/i, "no inline script or handler");
  assert.equal((await app.inject({ url: "/room.js" })).statusCode, 200);
  assert.equal((await app.inject({ url: "/" })).statusCode, 401);
  assert.equal((await app.inject({ url: "/?key=wrong" })).statusCode, 403);
});

test("data survives closing and reopening the room", async (t) => {
  const first = await build(t);
  const { token } = await join(first.app, "Barbara");
  await report(first.app, token, checkBody(4, "non-root"));
  await first.app.close();
  const second = await build(t, { dataDir: first.dataDir });
  const state = (
    await second.app.inject({ url: "/api/state", headers: asTrainer })
  ).json<RoomState>();
  assert.equal(state.cells.find((c) => c.exercise === 4)?.status, "failing");
  assert.equal(
    (await report(second.app, token, checkBody(4))).statusCode,
    202,
    "the token still works",
  );
});
