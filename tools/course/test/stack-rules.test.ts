import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { findExercise, type StackExercise } from "../src/catalogue.ts";
import { readStack, type StackFacts, type StackService } from "../src/facts/stack.ts";
import { repoRoot } from "../src/lib/paths.ts";

// The rules of exercise 6: the course's own stack file (the reference answer) passes, and each
// mistake fails the check that names it, with a hint.

const exercise = findExercise(6) as StackExercise;
const reference = readStack(join(repoRoot, "deploy/swarm/stack.yaml"));
const failed = (facts: StackFacts) =>
  exercise.rules.map((rule) => rule(facts)).filter((c) => !c.passed);

/** The reference with the employee service changed by `change`. */
function withEmployee(change: (service: StackService) => StackService): StackFacts {
  const employee = structuredClone(reference.services.employee ?? {});
  return { ...reference, services: { ...reference.services, employee: change(employee) } };
}

test("the reference answer, deploy/swarm/stack.yaml, passes every check", () => {
  assert.equal(exercise.kind, "stack");
  assert.deepEqual(failed(reference), []);
});

const MISTAKES: [string, (s: StackService) => StackService, string][] = [
  ["a build: left in", (s) => ({ ...s, build: { context: "." } }), "image"],
  ["an image with no tag", (s) => ({ ...s, image: "advanced-docker/employee" }), "image"],
  ["one replica", (s) => ({ ...s, deploy: { ...s.deploy, replicas: 1 } }), "replicas"],
  [
    "the default stop-first",
    (s) => ({ ...s, deploy: { ...s.deploy, update_config: {} } }),
    "update-order",
  ],
  ["no healthcheck", (s) => ({ ...s, healthcheck: undefined }), "healthcheck"],
  ["a disabled healthcheck", (s) => ({ ...s, healthcheck: { disable: true } }), "healthcheck"],
  [
    "the key as a variable",
    (s) => ({ ...s, secrets: [], environment: { COSMOSDB_MASTER_KEY: "k" } }),
    "secret",
  ],
  ["a published port", (s) => ({ ...s, ports: ["8003:8003"] }), "ports"],
];

for (const [mistake, change, id] of MISTAKES)
  test(`${mistake} fails "${id}" with a hint`, () => {
    const failures = failed(withEmployee(change));
    assert.deepEqual(
      failures.map((c) => c.id),
      [id],
    );
    assert.ok((failures[0]?.hint ?? "").length > 0);
  });

test("no employee service: the service check fails and the others are not checked", () => {
  const services = Object.fromEntries(
    Object.entries(reference.services).filter(([name]) => name !== "employee"),
  );
  const checks = exercise.rules.map((rule) => rule({ ...reference, services }));
  assert.equal(checks[0]?.passed, false);
  assert.ok(checks.slice(1).every((c) => c.notChecked === true));
});
