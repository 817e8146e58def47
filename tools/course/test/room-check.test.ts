import assert from "node:assert/strict";
import { test } from "node:test";
import { needsDocker } from "../../../test/containers/docker.ts";
import { joinRoom, queued } from "../src/lib/room-client.ts";
import { course, fixture, stateDir, type Run } from "./helper.ts";
import { exported, openRoom, traineeConfig } from "./room-helper.ts";

// `course check` as a joined trainee runs it, on the engine, with the real room up, skipped,
// stopped and back: the same verdict and exit status every time, the report in the room, and the
// one the stopped room missed delivered with the next. The smallest image there is (one file, no
// base) fails exercise 1 quickly, with a real report.

const args = ["check", "1", "--json", "--file", fixture("tiny/Dockerfile")];

/** The verdict: the exit status and each check's id and result. */
function verdict(run: Run) {
  const report = JSON.parse(run.stdout) as {
    passed: boolean;
    checks: { id: string; passed: boolean }[];
  };
  return {
    code: run.code,
    passed: report.passed,
    checks: report.checks.map((c) => `${c.id}:${String(c.passed)}`),
  };
}

test("check: the report goes to the room; skipped or with the room stopped, the same verdict and exit status", async (t) => {
  if (!(await needsDocker(t))) return;
  traineeConfig(t);
  const env = { COURSE_STATE_DIR: stateDir(t) };
  const first = await openRoom(t);
  await joinRoom(first.address, first.code, "Ana");
  const check = (extra: string[] = []) =>
    course([...args, "--context", fixture("tiny"), ...extra], { env });

  const sent = await check();
  assert.equal(sent.code, 1, sent.stdout + sent.stderr);
  const expected = verdict(sent);
  const stored = (await exported(first)).reports;
  assert.deepEqual(
    stored.map((r) => [r.kind, r.exercise, r.passed]),
    [["check", 1, false]],
  );
  assert.equal(stored[0]?.firstFailing !== undefined, true);

  assert.deepEqual(verdict(await check(["--no-room"])), expected);
  assert.equal((await exported(first)).reports.length, 1, "--no-room sends nothing");

  await first.close();
  assert.deepEqual(verdict(await check()), expected);
  assert.equal((await queued()).length, 1, "the report waits for the room");

  const back = await openRoom(t, { dataDir: first.dataDir, port: first.port });
  assert.deepEqual(verdict(await check()), expected);
  assert.equal((await exported(back)).reports.length, 3, "the waiting report went with the next");
  assert.deepEqual(await queued(), []);
});
