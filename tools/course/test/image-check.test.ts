import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { docker, needsDocker } from "../../../test/containers/docker.ts";
import {
  course,
  failedIds,
  fixture,
  foundOf,
  hintOf,
  leftovers,
  reportOf,
  stateDir,
} from "./helper.ts";

// `course check 1-4` for real, on fixtures built on the offline bases: each must pass, or fail
// for its reason with a hint, and no container may be left behind. Builds share BuildKit's cache,
// so after the first one each check takes seconds.

async function check(exercise: number, file: string, state: string, extra: string[] = []) {
  const result = await course(
    [
      "check",
      String(exercise),
      "--file",
      fixture(file),
      "--tag",
      `course-test:${file.replace(/\W+/g, "-")}`,
      ...extra,
    ],
    { env: { COURSE_STATE_DIR: state } },
  );
  assert.deepEqual(await leftovers(), [], "no container left behind");
  return result;
}

test("exercises 3 and 4 pass with a fixture that learned the lesson", async (t) => {
  if (!(await needsDocker(t))) return;
  const state = stateDir(t);

  const three = await check(3, "ex3-pass.Dockerfile", state);
  assert.equal(three.code, 0, reportOf(three.stdout) || three.stdout + three.stderr);
  assert.match(reportOf(three.stdout), /^PASS: all 10 checks pass\./m);
  assert.doesNotMatch(reportOf(three.stdout), /Advice/);

  const four = await check(4, "ex4-pass.Dockerfile", state, ["--json"]);
  assert.equal(four.code, 0, four.stdout + four.stderr);
  const report = JSON.parse(four.stdout) as {
    exercise: number;
    passed: boolean;
    checks: { id: string; passed: boolean; found: string; expected: string; hint: string }[];
    advice: { id: string; found: string; hint: string }[];
    image: { size: number; user: string };
  };
  assert.equal(report.exercise, 4);
  assert.equal(report.passed, true);
  assert.deepEqual(report.advice, [], "COPY --chown writes the app once: nothing to advise");
  assert.deepEqual(
    report.checks.map((c) => c.id),
    [
      "build",
      "stages",
      "node-present",
      "npm-absent",
      "runtime-files",
      "path-bin",
      "launcher-starts",
      "exec-form",
      "non-root",
      "files-readable",
      "docs-answers",
      "size",
    ],
  );
  assert.match(report.checks.find((c) => c.id === "size")?.found ?? "", /\(exercise 3: \d+ MB\)/);
  assert.ok(report.image.size > 0);
  assert.match(report.image.user, /^uid [1-9]\d* \(app\)$/);

  await t.test("exercise 4 on exercise 3's image: runs as root", async () => {
    const result = await check(4, "ex3-pass.Dockerfile", state);
    assert.equal(result.code, 1);
    assert.deepEqual(failedIds(result.stdout), ["non-root"]);
    assert.match(reportOf(result.stdout), /found {5}uid 0 \(root\), of the running process/);
    assert.match(hintOf(result.stdout, "non-root"), /runs as root/);
  });
});

// Each way of shipping what was deleted: found in the layer that wrote it, whatever hid it later.
for (const [file, failed, found] of [
  [
    "ex3-rm-npm.Dockerfile",
    ["npm-absent"],
    /^still in the image's layers: `COPY npm\/ \S+` wrote \/usr\/local\/lib\/node_modules\/npm \(12 MB\); `RUN rm -rf \/usr\/local\/lib\/node_modules\/npm .*` deleted it later, which only hides it: 12 MB shipped for nothing$/,
  ],
  [
    "ex3-from-build.Dockerfile",
    ["npm-absent", "runtime-files"],
    /`RUN npm ci` wrote .*npm's cache \/root\/\.npm \(\d+ MB\).*`RUN npm prune --omit=dev && rm -rf .*` deleted it later, which only hides it: \d+ MB shipped for nothing$/,
  ],
  [
    "ex3-copy-all-rm.Dockerfile",
    ["runtime-files"],
    /^still in the image's layers: `COPY \. \.` wrote \/app\/node_modules\/typescript \(\d+ MB\), .*\/app\/src \(\d+ kB\).*`RUN rm -rf src test tsconfig\.json node_modules` deleted it later, which only hides it: \d+ MB shipped for nothing$/,
  ],
] as const) {
  test(`exercise 3: deleting later ships it anyway: ${file}`, async (t) => {
    if (!(await needsDocker(t))) return;
    const result = await check(3, file, stateDir(t), ["--timeout", "10"]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(failedIds(result.stdout), failed);
    assert.match(foundOf(result.stdout, failed[0]), found);
    for (const id of failed) {
      assert.match(
        hintOf(result.stdout, id),
        /deleting a file in a later instruction only hides it/,
      );
      assert.match(hintOf(result.stdout, id), /COPY --from=build only what runs/);
    }
  });
}

test("exercise 4: chown -R after COPY passes, with advice on the bytes it writes twice", async (t) => {
  if (!(await needsDocker(t))) return;
  const state = stateDir(t);
  const text = await check(4, "ex4-chown-r.Dockerfile", state);
  assert.equal(text.code, 0, reportOf(text.stdout) || text.stdout + text.stderr);
  assert.match(
    reportOf(text.stdout),
    /Advice \(does not change the result\)[\s\S]*files-written-twice/,
  );
  const json = await check(4, "ex4-chown-r.Dockerfile", state, ["--json"]);
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const report = JSON.parse(json.stdout) as {
    passed: boolean;
    advice: { id: string; found: string; hint: string }[];
  };
  assert.equal(report.passed, true);
  assert.equal(report.advice.length, 1);
  const [advice] = report.advice;
  assert.ok(advice);
  assert.equal(advice.id, "files-written-twice");
  assert.match(
    advice.found,
    /^`RUN chown -R app:app \/app` writes \d+ files in \/app again \(\d+ MB\) to change their owner: the image carries \d+ MB twice$/,
  );
  assert.match(advice.hint, /COPY --chown=app:app/);
});

for (const [file, failed, hinted] of [
  ["ex3-npm-left.Dockerfile", ["npm-absent"], /last stage only/],
  [
    "ex3-no-path.Dockerfile",
    ["path-bin", "launcher-starts", "docs-answers"],
    /npm changes one variable/,
  ],
  ["ex3-not-listening.Dockerfile", ["docs-answers"], /On which address and port/],
  ["build-no-lockfile.Dockerfile", ["build"], /lockfile/],
  [
    "ex3-no-node-modules.Dockerfile",
    ["launcher-starts", "docs-answers"],
    /There is no \/app\/node_modules\/\.bin\/fastify in the image/,
  ],
  [
    "ex3-wrong-workdir.Dockerfile",
    ["launcher-starts", "docs-answers"],
    /names \/srv\/dist\/app\.js, which is not in the image.*WORKDIR/,
  ],
  ["ex3-no-package-json.Dockerfile", ["launcher-starts", "docs-answers"], /"type": "module"/],
] as const) {
  test(`exercise 3 fails for the right reason: ${file}`, async (t) => {
    if (!(await needsDocker(t))) return;
    const result = await check(3, file, stateDir(t), ["--timeout", "5"]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(failedIds(result.stdout), failed);
    assert.match(hintOf(result.stdout, failed[0]), hinted);
    for (const id of failed) assert.ok(hintOf(result.stdout, id).length > 20, `hint for ${id}`);
    assert.match(reportOf(result.stdout), /^FAIL: /m);
  });
}

for (const file of ["ex4-unreadable.Dockerfile", "ex4-chmod-no-chown.Dockerfile"]) {
  test(`exercise 4: files the app user may not read: ${file}`, async (t) => {
    if (!(await needsDocker(t))) return;
    const result = await check(4, file, stateDir(t), ["--timeout", "5"]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(failedIds(result.stdout), [
      "launcher-starts",
      "files-readable",
      "docs-answers",
    ]);
    // The container says "Cannot find module"; the hint must name permissions, not PATH.
    const hint = hintOf(result.stdout, "launcher-starts");
    assert.match(hint, /may not read it: \/app\S* \(750, owner 0:0\)/);
    assert.doesNotMatch(hint, /PATH/);
    assert.match(hintOf(result.stdout, "files-readable"), /owned by root/);
  });
}

test("Ctrl-C while the API is probed removes the container", async (t) => {
  if (!(await needsDocker(t))) return;
  let interrupt: ((signal: NodeJS.Signals) => void) | undefined;
  const running = course(
    ["check", "3", "--file", fixture("ex3-not-listening.Dockerfile"), "--timeout", "120"],
    {
      env: { COURSE_STATE_DIR: stateDir(t) },
      onSpawn: (kill) => (interrupt = kill),
    },
  );
  const deadline = Date.now() + 120_000;
  while ((await leftovers()).every((c) => c.State !== "running")) {
    assert.ok(Date.now() < deadline, "the container started");
    await sleep(200);
  }
  interrupt?.("SIGINT");
  const result = await running;
  assert.equal(result.code, 130, result.stdout + result.stderr);
  assert.match(result.stderr, /SIGINT: removing what the course created/);
  assert.deepEqual(await leftovers(), []);
});

test("checks started at once share no names; interrupted ones leave nothing behind", async (t) => {
  if (!(await needsDocker(t))) return;
  // Tags and compose projects are this run's own: no --tag here, as a trainee runs it.
  const start = (file: string, extra: string[] = []) => {
    let kill: ((signal: NodeJS.Signals) => void) | undefined;
    const done = course(["check", "3", "--file", fixture(file), ...extra], {
      env: { COURSE_STATE_DIR: stateDir(t) },
      onSpawn: (k) => (kill = k),
    });
    return { done, interrupt: () => kill?.("SIGINT") };
  };
  const passing = [start("ex3-pass.Dockerfile"), start("ex3-pass.Dockerfile")];
  const waiting = [
    start("ex3-not-listening.Dockerfile", ["--timeout", "120"]),
    start("ex3-not-listening.Dockerfile", ["--timeout", "120"]),
  ];
  for (const run of await Promise.all(passing.map((p) => p.done))) {
    assert.equal(run.code, 0, reportOf(run.stdout) || run.stdout + run.stderr);
    assert.match(reportOf(run.stdout), /Image course-check:ex3:/);
  }
  const deadline = Date.now() + 120_000;
  while ((await leftovers()).filter((c) => c.State === "running").length < 2) {
    assert.ok(Date.now() < deadline, "both waiting checks started their containers");
    await sleep(200);
  }
  for (const run of waiting) run.interrupt();
  for (const run of await Promise.all(waiting.map((w) => w.done)))
    assert.equal(run.code, 130, run.stdout + run.stderr);
  assert.deepEqual(await leftovers(), [], "no container left");
  const ownTags = (
    await docker.listImages({ filters: { reference: ["course-check:ex3-*"] } })
  ).flatMap((image) => image.RepoTags ?? []);
  assert.deepEqual(ownTags, [], "no run's own tag left");
});
