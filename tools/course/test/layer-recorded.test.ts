import assert from "node:assert/strict";
import { test } from "node:test";
import { findExercise } from "../src/catalogue.ts";
import type { FactsInput } from "../src/facts/image-types.ts";
import type { LayerFacts } from "../src/facts/layers.ts";
import { fromRecording, type Recording, toRecording } from "../src/facts/recording.ts";
import { summarise } from "../src/facts/summary.ts";
import { adviseOn, applyRules } from "../src/lib/contract.ts";
import { BUILT, recorded, REFERENCES } from "./recorded.ts";

// Exercises 1 to 4 judged on every layer, from the recorded facts of the reference solutions'
// Alpine images: each passes with no advice; a variation of its layers that ships what it
// deleted fails the right check, and one that only costs gets advice and keeps its verdict.

function judge(input: FactsInput, exercise = input.exercise) {
  const entry = findExercise(exercise);
  assert.ok(entry?.kind === "image");
  const facts = { build: BUILT, image: summarise({ ...input, exercise }) };
  const checks = applyRules(entry.rules, facts);
  return {
    failed: checks.filter((c) => !c.passed).map((c) => c.id),
    get: (id: string) => {
      const check = checks.find((c) => c.id === id);
      assert.ok(check, `no check ${id}`);
      return check;
    },
    advice: adviseOn(entry.advice, facts),
  };
}

const layer = (
  createdBy: string,
  holds: LayerFacts["holds"] = [],
  deletes: string[] = [],
): LayerFacts => ({ createdBy, bytes: holds.reduce((sum, [, b]) => sum + b, 0), holds, deletes });

for (const [name, exercise] of REFERENCES) {
  test(`exercise ${String(exercise)}'s reference answer: every layer read, nothing failed, no advice`, () => {
    const input = recorded(name);
    assert.ok((input.layers ?? []).length >= 3, "the recording has its layers");
    const result = judge(input);
    assert.deepEqual(result.failed, []);
    assert.deepEqual(result.advice, []);
  });
}

test("exercise 3: a final stage FROM the build stage that deletes npm and the sources fails both", () => {
  // The build stage's layers (exercise 2's image: node:24-alpine, npm ci, the sources), then rm.
  const input = recorded("03-multi-stage");
  const build = recorded("02-node-alpine").layers ?? [];
  input.layers = [
    ...build,
    layer(
      "RUN npm prune --omit=dev && rm -rf src tsconfig.json /root/.npm /usr/local/lib/node_modules/npm",
      [],
      [
        "/app/node_modules/typescript",
        "/app/node_modules/tsx",
        "/app/node_modules/@types/node",
        "/app/src",
        "/app/tsconfig.json",
        "/root/.npm",
        "/usr/local/lib/node_modules/npm",
      ],
    ),
  ];
  const result = judge(input);
  assert.deepEqual(result.failed, ["npm-absent", "runtime-files"]);
  const npm = result.get("npm-absent");
  assert.match(
    npm.found,
    /^still in the image's layers: `RUN addgroup -g 1000 node .*` wrote \/usr\/local\/lib\/node_modules\/npm \(12 MB\)/,
  );
  assert.match(npm.found, /npm's cache \/root\/\.npm \(22 MB\)/);
  assert.match(
    npm.found,
    /`RUN npm prune --omit=dev && rm -rf .*` deleted it later, which only hides it: 34 MB shipped for nothing$/,
  );
  assert.match(npm.hint, /only hides it/);
  assert.match(npm.hint, /not the build stage, not an image with npm/);
  const files = result.get("runtime-files");
  assert.match(files.found, /`RUN npm ci` wrote \/app\/node_modules\/typescript \(23 MB\)/);
  assert.match(files.found, /`COPY src\/ src\/` wrote \/app\/src \(10 kB\)/);
  assert.match(files.hint, /COPY --from=build only what runs/);
  assert.deepEqual(result.advice, []);
});

test("exercise 3: apk add without --no-cache in the runtime is advice, not a failure", () => {
  const input = recorded("03-multi-stage");
  input.layers = (input.layers ?? []).map((l) =>
    l.createdBy === "RUN apk add --no-cache nodejs"
      ? layer("RUN apk add nodejs", [["/var/cache/apk", 2_740_000, 2]])
      : l,
  );
  const result = judge(input);
  assert.deepEqual(result.failed, []);
  assert.deepEqual(
    result.advice.map((a) => a.id),
    ["apk-index"],
  );
});

test("exercises 1 and 2: the package index left in a layer is advice with --no-cache in its hint", () => {
  for (const [name, exercise] of [
    ["01-alpine-by-hand", 1],
    ["02-node-alpine", 2],
  ] as const) {
    const input = recorded(name);
    input.layers = [
      ...(input.layers ?? []),
      layer("RUN apk add curl", [["/var/cache/apk", 2_740_000, 2]]),
    ];
    const result = judge(input);
    assert.deepEqual(result.failed, [], `exercise ${String(exercise)} still passes`);
    const [advice] = result.advice;
    assert.ok(advice);
    assert.equal(advice.id, "apk-index");
    assert.match(advice.found, /`RUN apk add curl` wrote \/var\/cache\/apk \(2\.7 MB\)/);
    assert.match(advice.hint, /apk add --no-cache/);
  }
});

test("exercise 4: COPY then chown -R passes, with the bytes written twice and COPY --chown", () => {
  const input = recorded("04-non-root");
  input.layers = [
    ...(input.layers ?? []),
    {
      ...layer("RUN chown -R app:app /app"),
      bytes: 17_615_300,
      rewrites: { files: 2480, bytes: 17_615_300, owner: true, mode: false, under: "/app" },
    },
  ];
  const result = judge(input);
  assert.deepEqual(result.failed, []);
  assert.equal(result.advice.length, 1);
  const [advice] = result.advice;
  assert.ok(advice);
  assert.match(
    advice.found,
    /`RUN chown -R app:app \/app` writes 2480 files in \/app again \(18 MB\) to change their owner/,
  );
  assert.match(advice.hint, /COPY --chown=app:app/);
});

test("--save-facts records the layers, and they read back the same", () => {
  const input = recorded("04-non-root");
  const again = fromRecording(JSON.parse(JSON.stringify(toRecording(input))) as Recording);
  assert.ok((again.layers ?? []).length > 0);
  assert.deepEqual(again.layers, input.layers);
});
