import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { stateDir } from "./helper.ts";

// .course/results.json is shared by every check: three finishing at once keep three results, and
// no half-written file or lock is left behind.

const results = pathToFileURL(join(import.meta.dirname, "../src/lib/results.ts")).href;

function saveMany(dir: string, exercise: number, times: number) {
  const script = `import { saveResult } from ${JSON.stringify(results)};
for (let i = 0; i < ${String(times)}; i++)
  await saveResult({ id: "x", exercise: ${String(exercise)}, size: i, tag: "t", passed: true, checkedAt: "" });`;
  return new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { env: { ...process.env, COURSE_STATE_DIR: dir }, stdio: ["ignore", "ignore", "inherit"] },
    );
    child.on("error", reject);
    child.on("close", resolve);
  });
}

test("three checks saving at once keep three results", { timeout: 60_000 }, async (t) => {
  const dir = stateDir(t);
  const times = 25;
  const codes = await Promise.all([1, 2, 3].map((exercise) => saveMany(dir, exercise, times)));
  assert.deepEqual(codes, [0, 0, 0]);
  const saved = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as {
    exercises: { exercise: number; size: number }[];
  };
  assert.deepEqual(
    saved.exercises.map((r) => [r.exercise, r.size]),
    [
      [1, times - 1],
      [2, times - 1],
      [3, times - 1],
    ],
  );
  assert.deepEqual(readdirSync(dir), ["results.json"], "no temporary file or lock left");
});
