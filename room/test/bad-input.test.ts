import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { InjectOptions } from "fastify";
import { ROOM_LIMITS, ROOM_ROUTES } from "../src/contract.ts";
import { indexArchives } from "../src/images.ts";
import {
  asTrainer,
  build,
  checkBody,
  CODE,
  join as joinRoom,
  KEY,
  report,
  tempDir,
} from "./helper.ts";

// Every route, asked wrongly: each answer is a 4xx problem+json, never a 5xx, and the room
// answers /healthz afterwards. A second trainee's token never reaches the first one's results.

test("bad input on every route gets a 4xx problem and the room stays up", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "class.tar"), "0123456789");
  const archives = await indexArchives([join(dir, "class.tar")]);
  const { app } = await build(t, { archives });
  const ada = await joinRoom(app, "Ada");
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const json = { "content-type": "application/json" };
  const big = (bytes: number) => JSON.stringify({ code: CODE, name: "x".repeat(bytes) });

  const cases: [string, InjectOptions, number][] = [
    [
      "join: wrong code",
      { method: "POST", url: ROOM_ROUTES.join, payload: { code: "WRONG", name: "Eve" } },
      403,
    ],
    ["join: no name", { method: "POST", url: ROOM_ROUTES.join, payload: { code: CODE } }, 400],
    [
      "join: blank name",
      { method: "POST", url: ROOM_ROUTES.join, payload: { code: CODE, name: "   " } },
      400,
    ],
    [
      "join: name too long",
      {
        method: "POST",
        url: ROOM_ROUTES.join,
        payload: { code: CODE, name: "n".repeat(ROOM_LIMITS.nameLength + 1) },
      },
      400,
    ],
    [
      "join: control characters",
      { method: "POST", url: ROOM_ROUTES.join, payload: { code: CODE, name: "a\u0007b" } },
      400,
    ],
    [
      "join: extra field",
      { method: "POST", url: ROOM_ROUTES.join, payload: { code: CODE, name: "Eve", admin: true } },
      400,
    ],
    [
      "join: oversized body",
      { method: "POST", url: ROOM_ROUTES.join, headers: json, payload: big(ROOM_LIMITS.joinBody) },
      413,
    ],
    [
      "join: malformed JSON",
      { method: "POST", url: ROOM_ROUTES.join, headers: json, payload: '{"code": "' },
      400,
    ],
    [
      "join: not JSON",
      {
        method: "POST",
        url: ROOM_ROUTES.join,
        headers: { "content-type": "text/plain" },
        payload: "hello",
      },
      400,
    ],
    [
      "join: an array",
      { method: "POST", url: ROOM_ROUTES.join, headers: json, payload: "[]" },
      400,
    ],
    ["report: no token", { method: "POST", url: ROOM_ROUTES.reports, payload: checkBody(1) }, 401],
    [
      "report: unknown token",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: bearer("not-a-token"),
        payload: checkBody(1),
      },
      403,
    ],
    [
      "report: the trainer key is no trainee token",
      { method: "POST", url: ROOM_ROUTES.reports, headers: asTrainer, payload: checkBody(1) },
      403,
    ],
    [
      "report: naming another trainee",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: bearer(ada.token),
        payload: { ...checkBody(1), traineeId: "someone-else" },
      },
      400,
    ],
    [
      "report: exercise 7",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: bearer(ada.token),
        payload: { ...checkBody(1), report: { ...checkBody(1).report, exercise: 7 } },
      },
      400,
    ],
    [
      "report: id not a uuid",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: bearer(ada.token),
        payload: { ...checkBody(1), id: "../../x" },
      },
      400,
    ],
    [
      "report: unknown kind",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: bearer(ada.token),
        payload: { ...checkBody(1), kind: "shell" },
      },
      400,
    ],
    [
      "report: bad date",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: bearer(ada.token),
        payload: { ...checkBody(1), at: "yesterday" },
      },
      400,
    ],
    [
      "report: oversized body",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: { ...bearer(ada.token), ...json },
        payload: JSON.stringify({ ...checkBody(1), pad: "x".repeat(ROOM_LIMITS.reportBody) }),
      },
      413,
    ],
    [
      "report: malformed JSON",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: { ...bearer(ada.token), ...json },
        payload: "{",
      },
      400,
    ],
    [
      "report: empty JSON body",
      {
        method: "POST",
        url: ROOM_ROUTES.reports,
        headers: { ...bearer(ada.token), ...json },
        payload: "",
      },
      400,
    ],
    [
      "images loaded: no token",
      {
        method: "POST",
        url: ROOM_ROUTES.imagesLoaded,
        payload: { archive: "class.tar", sha256: "a".repeat(64), platform: "linux/amd64" },
      },
      401,
    ],
    [
      "images loaded: bad sha256",
      {
        method: "POST",
        url: ROOM_ROUTES.imagesLoaded,
        headers: bearer(ada.token),
        payload: { archive: "class.tar", sha256: "zz", platform: "linux/amd64" },
      },
      400,
    ],
    ["image index: wrong method", { method: "POST", url: ROOM_ROUTES.images, payload: {} }, 404],
    ["image: unknown archive", { url: "/images/none.tar" }, 404],
    ["image: a path outside", { url: "/images/..%2Froom.db" }, 404],
    [
      "image: a range past the end",
      { url: "/images/class.tar", headers: { range: "bytes=50-60" } },
      416,
    ],
    [
      "image: a malformed range",
      { url: "/images/class.tar", headers: { range: "lines=1-2" } },
      416,
    ],
    ["page: no key", { url: ROOM_ROUTES.page }, 401],
    ["page: wrong key", { url: `${ROOM_ROUTES.page}?key=guess` }, 403],
    ["page: a trainee's token", { url: ROOM_ROUTES.page, headers: bearer(ada.token) }, 403],
    ["state: no key", { url: ROOM_ROUTES.state }, 401],
    ["state: key too long", { url: `${ROOM_ROUTES.state}?key=${"k".repeat(500)}` }, 400],
    ["events: no key", { url: ROOM_ROUTES.events }, 401],
    ["events: wrong key", { url: `${ROOM_ROUTES.events}?key=guess` }, 403],
    ["export JSON: no key", { url: ROOM_ROUTES.exportJson }, 401],
    ["export CSV: wrong key", { url: ROOM_ROUTES.exportCsv, headers: bearer("guess") }, 403],
    ["health: wrong method", { method: "DELETE", url: ROOM_ROUTES.health }, 404],
    ["unknown route", { url: "/api/admin" }, 404],
  ];

  for (const [name, request, status] of cases) {
    const response = await app.inject(request);
    assert.equal(response.statusCode, status, `${name}: ${response.body}`);
    assert.match(String(response.headers["content-type"]), /application\/problem\+json/, name);
    assert.ok(response.json<{ detail: string }>().detail.length > 0, name);
  }

  // Every route of the contract was asked wrongly at least once (the served assets take no input).
  const asked = new Set(
    cases.map(([, request]) => (typeof request.url === "string" ? request.url : "").split("?")[0]),
  );
  for (const [name, path] of Object.entries(ROOM_ROUTES)) {
    if (["pageScript", "pageStyle"].includes(name)) continue;
    const probe = path === ROOM_ROUTES.imageFile ? "/images/class.tar" : path;
    assert.ok(asked.has(probe), `no bad request for ${name} (${path})`);
  }

  assert.equal((await app.inject({ url: ROOM_ROUTES.health })).statusCode, 200);
  const state = await app.inject({ url: ROOM_ROUTES.state, headers: asTrainer });
  assert.deepEqual(
    state.json<{ trainees: { name: string }[] }>().trainees.map((tr) => tr.name),
    ["Ada"],
    "nobody joined through a bad request",
  );
  const exported = await app.inject({ url: `${ROOM_ROUTES.exportJson}?key=${KEY}` });
  assert.equal(exported.json<{ reports: unknown[] }>().reports.length, 0, "no bad report stored");
});

test("one trainee's token writes only that trainee's results", async (t) => {
  const { app } = await build(t);
  const ada = await joinRoom(app, "Ada");
  const bob = await joinRoom(app, "Bob");
  const body = checkBody(1, "size");
  await report(app, bob.token, body);
  // Ada's report with the same id is hers, stored apart from Bob's.
  await report(app, ada.token, { ...body, report: checkBody(1).report });
  const state = await app.inject({ url: ROOM_ROUTES.state, headers: asTrainer });
  const cells = state.json<{ cells: { traineeId: string; exercise: number; status: string }[] }>()
    .cells;
  const status = (id: string) => cells.find((c) => c.traineeId === id && c.exercise === 1)?.status;
  assert.equal(status(bob.traineeId), "failing");
  assert.equal(status(ada.traineeId), "passed");
});

test("each token is rate-limited, with a 429 problem", async (t) => {
  const { app } = await build(t, { requestsPerMinute: 5 });
  const ada = await joinRoom(app, "Ada");
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const response = await report(app, ada.token, checkBody(1));
    statuses.push(response.statusCode);
  }
  assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429]);
  const bob = await joinRoom(app, "Bob");
  const other = await report(app, bob.token, checkBody(1));
  assert.equal(other.statusCode, 202, "another token has its own allowance");
});
