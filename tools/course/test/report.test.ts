import assert from "node:assert/strict";
import { test } from "node:test";
import type { Report } from "../src/lib/report.ts";
import { toJson, toText } from "../src/lib/report.ts";

// The report's two forms: advice is listed beside the checks, in text under them and in JSON as
// its own list, and never turns a pass into a failure.

const report = (advice: Report["advice"]): Report => ({
  exercise: 3,
  title: "a multi-stage build",
  passed: true,
  checks: [
    {
      id: "stages",
      title: "a build stage and a runtime stage",
      passed: true,
      found: "2 stages",
      expected: "at least 2 stages",
      hint: "",
    },
  ],
  advice,
  image: { tag: "course-check:ex3", size: 150_000_000 },
});

const ADVICE = {
  id: "base-pinned",
  found: "FROM node:24-alpine without a digest",
  hint: "A digest pins the base image: the next build gets the same bytes.",
};

test("advice shows under the checks and leaves the verdict as it was", () => {
  const text = toText(report([ADVICE]), "npx course check 3");
  const advice = text.indexOf("Advice");
  assert.ok(advice > text.indexOf("stages"), "advice comes after the checks");
  assert.match(text.slice(advice), /base-pinned\s+FROM node:24-alpine without a digest/);
  assert.match(text.slice(advice), /A digest pins the base image/);
  assert.match(text, /^PASS: all 1 checks pass\./m);

  const json = JSON.parse(toJson(report([ADVICE]))) as { passed: boolean; advice: unknown[] };
  assert.equal(json.passed, true);
  assert.deepEqual(json.advice, [ADVICE]);
});

test("a report without advice has an empty advice list and no advice section", () => {
  const json = JSON.parse(toJson(report([]))) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ["exercise", "title", "passed", "checks", "advice", "image"]);
  assert.deepEqual(json.advice, []);
  assert.doesNotMatch(toText(report([]), "npx course check 3"), /Advice/);
});
