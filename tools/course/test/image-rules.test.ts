import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { findExercise } from "../src/catalogue.ts";
import type { FactsInput } from "../src/facts/image-types.ts";
import { fromRecording, type Recording } from "../src/facts/recording.ts";
import { summarise } from "../src/facts/summary.ts";
import { applyRules } from "../src/lib/contract.ts";

// The checks of exercises 1 to 4 on recorded facts of the reference solutions' Alpine images
// (test/fixtures/recorded), and on variations of them that make one lesson fail.

const recorded = (name: string): FactsInput =>
  fromRecording(
    JSON.parse(
      readFileSync(join(import.meta.dirname, "fixtures/recorded", `${name}.json`), "utf8"),
    ) as Recording,
  );

/** A build that passed: the facts below are read from the image it built. */
const BUILT = { ok: true, seconds: 1, error: "", hint: "" };

/** The checks of an image exercise, run on facts as `course check` runs them. */
export function evaluate(facts: ReturnType<typeof summarise>) {
  const exercise = findExercise(facts.exercise);
  assert.ok(exercise?.kind === "image", `exercise ${String(facts.exercise)} checks an image`);
  return applyRules(exercise.rules, { build: BUILT, image: facts });
}

function judge(input: FactsInput, exercise = input.exercise) {
  const checks = evaluate(summarise({ ...input, exercise }));
  return {
    checks,
    failed: checks.filter((c) => !c.passed).map((c) => c.id),
    get: (id: string) => {
      const check = checks.find((c) => c.id === id);
      assert.ok(check, `no check ${id}`);
      return check;
    },
  };
}

function assertHinted(result: ReturnType<typeof judge>) {
  for (const check of result.checks.filter((c) => !c.passed)) {
    assert.ok(check.hint.length > 20, `${check.id} has a hint`);
    assert.ok(check.found && check.expected, `${check.id} says what it found and expected`);
  }
}

for (const [name, exercise] of [
  ["01-alpine-by-hand", 1],
  ["02-node-alpine", 2],
  ["03-multi-stage", 3],
  ["04-non-root", 4],
] as const) {
  test(`the reference solution of exercise ${String(exercise)} passes its checks`, () => {
    const result = judge(recorded(name));
    assert.deepEqual(result.failed, []);
    assert.deepEqual(
      result.checks.slice(0, 2).map((c) => c.id),
      ["build", exercise <= 2 ? "os-alpine" : "stages"],
    );
  });
}

test("exercise 1: Node.js from the official image is not installed by hand", () => {
  const result = judge(recorded("02-node-alpine"), 1);
  assert.deepEqual(result.failed, ["node-apk"]);
  assert.match(result.get("node-apk").found, /official Node\.js image/);
  assertHinted(result);
});

test("exercise 2: Node.js from Alpine's package is not the official image", () => {
  const result = judge(recorded("01-alpine-by-hand"), 2);
  assert.deepEqual(result.failed, ["node-official"]);
  assert.match(result.get("node-official").found, /Alpine's nodejs package/);
  assertHinted(result);
});

test("exercises 1 and 2: a Debian base fails os-alpine with what it is", () => {
  const input = recorded("02-node-alpine");
  input.fs.contents.set(
    "/usr/lib/os-release",
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n',
  );
  input.fs.contents.delete("/lib/apk/db/installed");
  for (const exercise of [1, 2]) {
    const result = judge(input, exercise);
    assert.ok(result.failed.includes("os-alpine"));
    assert.match(result.get("os-alpine").found, /Debian GNU\/Linux 12 \(bookworm\) \(ID=debian/);
    assertHinted(result);
  }
});

test("/etc/os-release is read through its symlink", () => {
  const input = recorded("01-alpine-by-hand");
  assert.equal(input.fs.entries.get("/etc/os-release")?.type, "symlink");
  assert.equal(summarise(input).os.id, "alpine");
});

test("a shell-form CMD fails exec-form", () => {
  const input = recorded("01-alpine-by-hand");
  input.image.config.cmd = ["/bin/sh", "-c", "node dist/server.js"];
  const result = judge(input);
  assert.deepEqual(result.failed, ["exec-form"]);
  assert.match(result.get("exec-form").found, /shell form/);
  assertHinted(result);
});

test("exercise 3: one stage with npm fails stages, npm-absent, runtime-files and launcher", () => {
  const result = judge(recorded("02-node-alpine"), 3);
  assert.deepEqual(result.failed, [
    "stages",
    "npm-absent",
    "runtime-files",
    "path-bin",
    "launcher-starts",
    "size",
  ]);
  assert.match(result.get("npm-absent").found, /\/usr\/local\/bin\/npm/);
  assert.match(
    result.get("runtime-files").found,
    /src, tsconfig\.json, node_modules\/@types\/node/,
  );
  assert.match(result.get("launcher-starts").found, /node dist\/server\.js, not a launcher/);
  assertHinted(result);
});

test("exercise 3: PATH without node_modules/.bin: the launcher is not found", () => {
  const input = recorded("03-multi-stage");
  input.image.config.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
  input.run = {
    started: false,
    startError:
      'failed to create task for container: exec: "fastify": executable file not found in $PATH: unknown',
    running: false,
    exitCode: 127,
    logTail: [],
    docs: { ok: false, seconds: 0, timeout: 30 },
  };
  const result = judge(input);
  assert.deepEqual(result.failed, ["path-bin", "launcher-starts", "docs-answers"]);
  assert.match(result.get("launcher-starts").found, /fastify is not in any PATH directory/);
  assert.match(result.get("docs-answers").found, /did not start/);
  assertHinted(result);
});

test("exercise 3: `node node_modules/.bin/fastify` is a launcher too", () => {
  const input = recorded("03-multi-stage");
  input.image.config.cmd = ["node", "node_modules/.bin/fastify", "start", "dist/app.js"];
  assert.equal(summarise(input).command.launcher, true);
});

test("exercise 3: bigger than exercise 2 fails size", () => {
  const input = recorded("03-multi-stage");
  input.image.size = 400_000_000;
  const result = judge(input);
  assert.deepEqual(result.failed, ["size"]);
  assert.match(result.get("size").expected, /smaller than your exercise 2 image \(318 MB\)/);
});

test("exercise 4: the exercise 3 image runs as root", () => {
  const result = judge(recorded("03-multi-stage"), 4);
  assert.deepEqual(result.failed, ["non-root"]);
  assert.match(result.get("non-root").found, /uid 0 \(root\), of the running process/);
  assertHinted(result);
});

test("exercise 4: files the user cannot read fail files-readable", () => {
  const input = recorded("04-non-root");
  for (const [path, entry] of input.fs.entries) {
    if (path.startsWith("/app/dist"))
      input.fs.entries.set(path, {
        ...entry,
        uid: 0,
        gid: 0,
        mode: entry.type === "directory" ? 0o700 : 0o600,
      });
  }
  input.run = {
    ...input.run,
    running: false,
    exitCode: 1,
    docs: { ok: false, seconds: 2, timeout: 30, error: "ECONNRESET" },
  };
  const result = judge(input);
  assert.ok(result.failed.includes("files-readable"));
  assert.match(
    result.get("files-readable").found,
    /not readable by uid 100: \/app\/dist \(700, owner 0:0\)/,
  );
  assertHinted(result);
});

test("exercise 4: the image's USER is used when the container did not run", () => {
  const input = recorded("04-non-root");
  delete input.run.process;
  const facts = summarise(input);
  assert.deepEqual([facts.user.uid, facts.user.name, facts.user.source], [100, "app", "image"]);
});

test("exercise 4: chown -R after COPY doubles the app in size", () => {
  const input = recorded("04-non-root");
  input.image.size = 140_000_000;
  const result = judge(input);
  assert.deepEqual(result.failed, ["size"]);
  assertHinted(result);
});

// Hints by cause: the container's error alone ("Cannot find module …") reads the same for several
// mistakes; the image's files tell them apart.

/** The exercise image, its container exited at start with the given log line. */
function exitedWith(name: string, line: string) {
  const input = recorded(name);
  input.run = {
    ...input.run,
    running: false,
    exitCode: 1,
    logTail: [line],
    docs: { ok: false, seconds: 1, timeout: 30, error: "ECONNREFUSED" },
  };
  delete input.run.process;
  return input;
}

const launchHint = (input: FactsInput) => {
  const result = judge(input);
  assert.ok(
    result.failed.includes("launcher-starts"),
    `launcher-starts fails: ${result.failed.join(", ")}`,
  );
  assertHinted(result);
  return { launcher: result.get("launcher-starts").hint, docs: result.get("docs-answers").hint };
};

test("exercise 4: app files unreadable by the user: the hint names permissions, not PATH", () => {
  const input = exitedWith(
    "04-non-root",
    "Error: Cannot find module '/app/node_modules/.bin/fastify'",
  );
  for (const [path, entry] of input.fs.entries)
    if (path === "/app" || path.startsWith("/app/"))
      input.fs.entries.set(path, {
        ...entry,
        uid: 0,
        gid: 0,
        mode: entry.type === "directory" ? 0o750 : entry.type === "symlink" ? 0o777 : 0o640,
      });
  const hints = launchHint(input);
  assert.match(hints.launcher, /may not read it: \/app \(750, owner 0:0\)/);
  assert.match(hints.launcher, /--chown/);
  assert.doesNotMatch(hints.launcher, /PATH/);
  assert.match(hints.docs, /may not read it/);
});

test("exercise 3: node_modules not copied: the hint names the missing launcher", () => {
  const input = exitedWith("03-multi-stage", "/bin/sh: fastify: not found");
  for (const path of [...input.fs.entries.keys()])
    if (path.startsWith("/app/node_modules")) input.fs.entries.delete(path);
  const hints = launchHint(input);
  assert.match(hints.launcher, /There is no \/app\/node_modules\/\.bin\/fastify in the image/);
});

test("exercise 3: launcher present but PATH does not reach it: the PATH hint", () => {
  const input = exitedWith("03-multi-stage", 'exec: "fastify": executable file not found in $PATH');
  input.image.config.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
  const hints = launchHint(input);
  assert.match(hints.launcher, /npm puts node_modules\/\.bin on PATH/);
});

test("exercise 3: the app's file is not where the working directory says", () => {
  const input = exitedWith("03-multi-stage", "Error: Cannot find module '/srv/dist/app.js'");
  input.image.config.workingDir = "/srv";
  const hints = launchHint(input);
  assert.match(hints.launcher, /names \/srv\/dist\/app\.js, which is not in the image/);
  assert.match(hints.launcher, /WORKDIR/);
});

test("exercise 3: package.json left out: the hint explains ES modules", () => {
  const input = exitedWith(
    "03-multi-stage",
    "SyntaxError: Cannot use import statement outside a module",
  );
  input.fs.entries.delete("/app/package.json");
  input.fs.contents.delete("/app/package.json");
  const hints = launchHint(input);
  assert.match(hints.launcher, /"type": "module" in \/app\/package\.json/);
});
