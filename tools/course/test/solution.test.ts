import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { EXERCISES, findExercise, solutionOf } from "../src/catalogue.ts";
import { answerOf } from "../src/commands/solution/answers.ts";
import { rewrite } from "../src/commands/solution/rewrite.ts";
import { root } from "../../../test/containers/docker.ts";
import { course } from "./helper.ts";
import { repositoryCopy } from "./repository-copy.ts";

// `course solution N` on a copy of the repository: the answer lands where the trainee's work goes,
// what the trainee had is kept, and the copied answer names its new place (no `solutions/` path,
// no package name that clashes, relative paths that still reach their files).

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

/** A Dockerfile's instructions: its lines without comments and blank lines. */
const instructions = (text: string) =>
  text.split("\n").filter((line) => line.trim() && !line.trimStart().startsWith("#"));

test("rewrite: relative paths follow the copy, paths into the answer name the new place", () => {
  const copies = [
    { from: "solutions/05-x/services/employee", to: "services/employee" },
    { from: "solutions/05-x/compose.yaml", to: "exercises/05-x/compose.yaml" },
  ];
  const place = (file: string) => ({ from: `solutions/05-x/${file}`, to: file });
  assert.equal(
    rewrite(
      '"build": "node ../../../../scripts/bundle.mjs"',
      place("services/employee/package.json"),
      copies,
    ),
    '"build": "node ../../scripts/bundle.mjs"',
  );
  assert.equal(
    rewrite(
      'from "../../../../../services/company/src/app.ts"; from "../src/app.ts"',
      place("services/employee/test/a.test.ts"),
      copies,
    ),
    'from "../../company/src/app.ts"; from "../src/app.ts"',
  );
  const compose = { from: "solutions/05-x/compose.yaml", to: "exercises/05-x/compose.yaml" };
  assert.equal(
    rewrite(
      "context: ../..\ndockerfile: solutions/05-x/services/employee/Dockerfile\npath: ./services/employee\n- ../../compose.yaml",
      compose,
      copies,
    ),
    "context: ../..\ndockerfile: services/employee/Dockerfile\npath: ../../services/employee\n- ../../compose.yaml",
  );
  // A Dockerfile's paths are the build context's: `./` stays, the answer's folder is renamed.
  assert.equal(
    rewrite(
      "COPY solutions/05-x/services/employee/ ./\nCOPY ../a ./",
      place("services/employee/Dockerfile"),
      copies,
    ),
    "COPY services/employee/ ./\nCOPY ../a ./",
  );
  assert.equal(
    rewrite('"name": "@c/e-solution"', place("x/package.json"), copies, [
      ["@c/e-solution", "@c/e"],
    ]),
    '"name": "@c/e"',
  );
});

for (const exercise of EXERCISES) {
  test(`course solution ${String(exercise.number)}: the answer in place, the trainee's files kept`, async (t) => {
    const dir = repositoryCopy(t);
    const { copies } = answerOf(exercise);
    const mine = `mine, for exercise ${String(exercise.number)}\n`;
    const [first] = copies;
    assert.ok(first);
    // A file of the trainee's where the answer goes: the file itself, or one in its folder.
    const ownFile = statSync(join(root, first.from)).isDirectory()
      ? `${first.to}/src/app.ts`
      : first.to;
    mkdirSync(dirname(join(dir, ownFile)), { recursive: true });
    writeFileSync(join(dir, ownFile), mine);

    const run = await course(["solution", String(exercise.number), "--root", dir]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`Next: npx course check ${String(exercise.number)}`));

    const kept = /kept, untouched, in (\S+):/.exec(run.stdout)?.[1];
    assert.ok(kept, run.stdout);
    assert.equal(
      readFileSync(join(root, kept, ownFile), "utf8"),
      mine,
      "the trainee's file is kept as it was",
    );
    assert.match(kept, new RegExp(`\\.course/kept/${exercise.slug}-`));

    for (const { from, to } of copies) {
      assert.ok(existsSync(join(dir, to)), `${to} is in place`);
      if (to.endsWith("Dockerfile"))
        assert.deepEqual(
          instructions(read(dir, to)),
          instructions(read(root, from)),
          `${to}: the answer's instructions`,
        );
    }
  });
}

test("course solution 5: the copied service is a workspace of its own that builds from its folder", async (t) => {
  const dir = repositoryCopy(t);
  const exercise = findExercise(5);
  assert.ok(exercise);
  const run = await course(["solution", "5", "--root", dir]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /nothing was kept aside/);

  const manifest = JSON.parse(read(dir, "services/employee/package.json")) as {
    name: string;
    scripts: { build: string };
  };
  const answer = JSON.parse(
    read(root, `${solutionOf(exercise)}/services/employee/package.json`),
  ) as { name: string };
  assert.notEqual(manifest.name, answer.name, "no clash with the answer's own workspace");
  const script = /node (\S+)/.exec(manifest.scripts.build)?.[1] ?? "";
  assert.ok(
    existsSync(join(dir, "services/employee", script)),
    `${script} is there from the service's folder`,
  );

  const lock = JSON.parse(read(dir, "package-lock.json")) as {
    packages: Record<string, { name?: string }>;
  };
  assert.equal(
    lock.packages["services/employee"]?.name,
    manifest.name,
    "the lockfile lists the workspace",
  );

  for (const file of ["services/employee/Dockerfile", exercise.file])
    assert.doesNotMatch(read(dir, file), /solutions\//, file);
  const test = read(dir, "services/employee/test/employees.test.ts");
  for (const [, path] of test.matchAll(/from "(\.[^"]+)"/g))
    assert.ok(
      existsSync(join(dir, "services/employee/test", path ?? "")),
      `the test's import ${String(path)} resolves`,
    );
});
