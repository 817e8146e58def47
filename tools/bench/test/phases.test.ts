import assert from "node:assert/strict";
import { test } from "node:test";
import { logLines, startupPhases } from "../phases.ts";

/** One `docker logs` frame: stream 1 (stdout), three zero bytes, the length, the payload. */
const frame = (text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

test("docker's log frames become the JSON lines they carry; other lines are left out", () => {
  const raw = Buffer.concat([
    frame('{"level":30,"time":1000,"msg":"Server listening at http://0.0.0.0:8001"}\n'),
    frame("not json\n"),
    frame('{"level":30,"time":1200,"msg":"database provisioned"}\n'),
  ]);
  assert.deepEqual(logLines(raw), [
    { time: 1000, msg: "Server listening at http://0.0.0.0:8001" },
    { time: 1200, msg: "database provisioned" },
  ]);
});

test("the phases run from docker start to the process, to listening, to ready", () => {
  const logs = [
    { time: 500, msg: "Server listening at http://0.0.0.0:8001" }, // an earlier start
    { time: 10_450, msg: "Server listening at http://0.0.0.0:8001" },
  ];
  assert.deepEqual(startupPhases({ called: 10_000, started: 10_100, ready: 10_700 }, logs), {
    engine: 0.1,
    listen: 0.35,
    ready: 0.25,
  });
  assert.throws(() => startupPhases({ called: 10_000, started: 11_000, ready: 11_500 }, logs));
});
