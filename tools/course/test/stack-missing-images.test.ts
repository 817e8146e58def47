import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { findExercise, readmeOf, type StackExercise } from "../src/catalogue.ts";
import { readStack, type StackFacts } from "../src/facts/stack-types.ts";
import { applyRules } from "../src/lib/contract.ts";
import { repoRoot } from "../src/lib/paths.ts";

// Exercise 6 deploys images and never builds them: when one the stack names is not on the
// machine, the hint sends the trainee to the exercise's own step that builds them, and that step
// is the compose build.

const exercise = findExercise(6) as StackExercise;
const readme = readmeOf(exercise);

test("an image the stack names that is missing points at the exercise's step 1, not at doctor", () => {
  const facts: StackFacts = {
    ...readStack(join(repoRoot, "deploy/swarm/stack.yaml")),
    file: "deploy/swarm/stack.yaml",
    deploy: {
      state: "not-run",
      reason: "swarm never builds, and advanced-docker/employee:1.0.0 is not on this machine",
      missing: { images: ["advanced-docker/employee:1.0.0"], readme },
    },
  };
  const check = applyRules(exercise.rules, facts).find((c) => c.id === "swarm-deploy");
  assert.ok(check);
  assert.equal(check.passed, false);
  assert.match(check.found, /advanced-docker\/employee:1\.0\.0 is not on this machine/);
  assert.match(check.hint, new RegExp(`Step 1 of ${readme.replace(/[.]/g, "\\.")} builds them`));
  assert.doesNotMatch(check.hint, /doctor/);
});

test("step 1 of exercise 6 is the compose build that the hint says it is", () => {
  const text = readFileSync(join(repoRoot, readme), "utf8");
  const steps = text.slice(text.indexOf("## Steps"));
  const first = /^1\. (.*)$/m.exec(steps)?.[1] ?? "";
  assert.match(first, /docker compose .*\bbuild\b/);
});
