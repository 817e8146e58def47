import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { needsDocker } from "../../../test/containers/docker.ts";
import {
  composeLeftovers,
  course,
  fixture,
  leftovers,
  needsOfflineBases,
  reportOf,
  stateDir,
} from "./helper.ts";
import { repositoryCopy } from "./repository-copy.ts";

// After `course solution N`, `course check N` passes, for real, on a copy of the repository.
// Exercise 5's answer builds on the offline bases as it is. The image answers need Alpine, which
// cannot be pulled where the tests run: for them, exercise 3's answer is replaced in the copy by a
// fixture that passes on the offline bases, so that what is tested is the command's part (the
// answer lands where `course check` reads it, and builds there); the reference Dockerfiles
// themselves pass on recorded facts (image-rules.test.ts).

test("course solution 3, then course check 3 passes", async (t) => {
  if (!(await needsDocker(t)) || !needsOfflineBases(t)) return;
  const dir = repositoryCopy(t);
  copyFileSync(
    join(dir, fixture("ex3-pass.Dockerfile")),
    join(dir, "solutions/03-multi-stage/Dockerfile"),
  );
  const put = await course(["solution", "3", "--root", dir]);
  assert.equal(put.code, 0, put.stdout + put.stderr);
  assert.equal(
    readFileSync(join(dir, "api/Dockerfile"), "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("\n"),
    readFileSync(join(dir, fixture("ex3-pass.Dockerfile")), "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("\n"),
  );
  const checked = await course(
    [
      "check",
      "3",
      "--file",
      join(dir, "api/Dockerfile"),
      "--context",
      join(dir, "api"),
      "--tag",
      "course-test:solution-3",
    ],
    { env: { COURSE_STATE_DIR: stateDir(t) } },
  );
  assert.equal(checked.code, 0, reportOf(checked.stdout) || checked.stdout + checked.stderr);
  assert.deepEqual(await leftovers(), []);
});

test("course solution 5, then course check 5 passes", async (t) => {
  if (!(await needsDocker(t)) || !needsOfflineBases(t)) return;
  const dir = repositoryCopy(t);
  const put = await course(["solution", "5", "--root", dir]);
  assert.equal(put.code, 0, put.stdout + put.stderr);
  const checked = await course(
    [
      "check",
      "5",
      "--file",
      join(dir, "exercises/05-compose-employees/compose.yaml"),
      "--tag",
      "course-test-solution-5",
    ],
    { env: { COURSE_STATE_DIR: stateDir(t) } },
  );
  assert.equal(checked.code, 0, reportOf(checked.stdout) || checked.stdout + checked.stderr);
  assert.match(reportOf(checked.stdout), /^PASS: /m);
  assert.deepEqual(await composeLeftovers("course-test-solution-5"), []);
});
