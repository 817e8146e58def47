import assert from "node:assert/strict";
import { test } from "node:test";
import { joinRoom, queued } from "../src/lib/room-client.ts";
import { course, type Run } from "./helper.ts";
import { exported, openRoom, traineeConfig } from "./room-helper.ts";

// `course doctor` as a joined trainee runs it, with the real room up, skipped, stopped and back:
// the findings reach the room, and what the command prints and its exit status never depend on
// the room. (`course check` is the same hook: test/room-check.test.ts, with the engine.)

const unreachable = { DOCKER_HOST: "tcp://127.0.0.1:1" };

/**
 * The verdict a person reads: the exit status and each finding's id and status (but the ports',
 * which other programs on a shared machine take and free between two runs).
 */
function verdict(run: Run) {
  const report = JSON.parse(run.stdout) as {
    ok: boolean;
    findings: { id: string; status: string }[];
  };
  return {
    code: run.code,
    ok: report.ok,
    findings: report.findings.filter((f) => f.id !== "ports").map((f) => `${f.id}:${f.status}`),
  };
}

test("doctor: its findings go to the room; --no-room, COURSE_ROOM=off and a stopped room change nothing it prints", async (t) => {
  traineeConfig(t);
  const first = await openRoom(t);
  await joinRoom(first.address, first.code, "Ana");
  const doctor = (args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    course(["doctor", "--offline", "--json", ...args], { env: { ...unreachable, ...env } });

  const sent = await doctor();
  assert.equal(sent.code, 1, sent.stderr);
  const reports = (await exported(first)).reports;
  assert.deepEqual(
    reports.map((r) => [r.kind, r.passed]),
    [["doctor", false]],
  );
  const expected = verdict(sent);
  assert.deepEqual(verdict(await doctor(["--no-room"])), expected);
  assert.deepEqual(verdict(await doctor([], { COURSE_ROOM: "off" })), expected);
  assert.equal((await exported(first)).reports.length, 1, "skipped runs send nothing");
  assert.deepEqual(await queued(), []);

  await first.close();
  const away = await doctor();
  assert.deepEqual(verdict(away), expected);
  assert.equal((await queued()).length, 1, "the report waits for the room");

  const back = await openRoom(t, { dataDir: first.dataDir, port: first.port });
  assert.deepEqual(verdict(await doctor()), expected);
  assert.equal((await exported(back)).reports.length, 3, "the waiting report went with the next");
  assert.deepEqual(await queued(), []);
});
