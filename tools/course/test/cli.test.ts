import assert from "node:assert/strict";
import { test } from "node:test";
import { CLASS_IMAGES, EXERCISES } from "@course/cli";
import { course, fixture } from "./helper.ts";

// What the course command says when it cannot check: no engine, no Dockerfile, a bad argument.

const unreachable = { DOCKER_HOST: "tcp://127.0.0.1:1" };

test("check without an engine: exit 2, and it says why", async () => {
  const result = await course(["check", "3", "--file", fixture("ex3-pass.Dockerfile")], {
    env: unreachable,
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /no Docker engine answers at tcp:\/\/127\.0\.0\.1:1/);
  assert.match(result.stderr, /`npx course doctor`/);
});

test("check --json without an engine still prints one report", async () => {
  const result = await course(["check", "4", "--json", "--file", fixture("ex4-pass.Dockerfile")], {
    env: unreachable,
  });
  assert.equal(result.code, 2);
  const report = JSON.parse(result.stdout) as { exercise: number; passed: boolean; error: string };
  assert.deepEqual([report.exercise, report.passed], [4, false]);
  assert.match(report.error, /no Docker engine/);
});

test("check without a Dockerfile: exit 2, and where to start", async () => {
  const result = await course(["check", "2", "--file", "api/No.Dockerfile"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /there is no Dockerfile at api\/No\.Dockerfile/);
});

test("check --platform: a value that is no platform is refused in one line, before any build", async () => {
  const result = await course(["check", "3", "--platform", "arm64"], { env: unreachable });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /a platform such as linux\/amd64 or linux\/arm64/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});

test("check --platform is for the image and compose exercises: a stack check refuses it", async () => {
  const result = await course(["check", "6", "--platform", "linux/arm64"], { env: unreachable });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--platform is for the image and compose exercises/);
});

test("an exercise that does not exist is refused with the command's help", async () => {
  const result = await course(["check", String(EXERCISES.length + 1)]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(`an exercise number from 1 to ${String(EXERCISES.length)}`),
  );
});

test("doctor with an unreachable engine: a red line with advice, exit 1", async () => {
  const result = await course(["doctor", "--offline"], { env: unreachable });
  assert.equal(result.code, 1);
  assert.match(result.stdout, /✖ Docker engine +not reachable at tcp:\/\/127\.0\.0\.1:1/);
  // The advice is the platform's own (docker group, docker-users, WSL integration, Docker Desktop).
  assert.match(result.stdout, /→ Start (the engine|Docker Desktop)/);
  assert.match(result.stdout, /– Docker Hub pulls left +skipped: --offline/);
});

test("images list: the class image catalogue, one image a line, with no engine needed", async () => {
  const text = await course(["images", "list"], { env: unreachable });
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split("\n");
  assert.deepEqual(
    lines.map((line) => line.split(/\s{2,}/)[0]),
    CLASS_IMAGES.map((image) => image.name),
  );
  const json = await course(["images", "list", "--json"], {
    env: { ...unreachable, BUILD_IMAGE: "course-offline/stand-in:1" },
  });
  const rows = JSON.parse(json.stdout) as { name: string; use: string; standIn?: string }[];
  assert.deepEqual(
    rows.map((row) => [row.name, row.use]),
    CLASS_IMAGES.map((image) => [image.name, image.use]),
  );
  assert.equal(rows.find((row) => row.standIn)?.standIn, "course-offline/stand-in:1");
});
