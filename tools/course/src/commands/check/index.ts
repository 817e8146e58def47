import { type Exercise, findExercise } from "../../catalogue.ts";
import type { CheckOptions } from "../../lib/check-options.ts";
import { applyRules, type Gathered, type Rule } from "../../lib/contract.ts";
import { CouldNotCheck } from "../../lib/errors.ts";
import { type Report, toJson, toText } from "../../lib/report.ts";
import { red } from "../../lib/ui.ts";

// `course check <n>`: the exercise's kind says where its facts are gathered (an image built, run
// and probed; a compose stack started and called; a stack deployed on a swarm); then its rules
// are applied once, the same way for every kind, and all end in the same report.

type Judged = Omit<Report, "exercise" | "title">;

async function judge<Facts, Id extends string>(
  rules: readonly Rule<Facts, Id>[],
  gathered: Gathered<Facts>,
): Promise<Judged> {
  const checks = applyRules(rules, gathered.facts);
  const passed = checks.every((c) => c.passed);
  const image = gathered.settle ? await gathered.settle(passed) : gathered.image;
  return { passed, checks, advice: [], image, ...(gathered.log ? { log: gathered.log } : {}) };
}

type Checker<E> = (exercise: E, options: CheckOptions) => Promise<Judged>;

/** Where each kind gathers its facts: loaded only when an exercise of that kind is checked. */
const KINDS: { [K in Exercise["kind"]]: Checker<Extract<Exercise, { kind: K }>> } = {
  image: async (e, o) => judge(e.rules, await (await import("../../facts/image.ts")).gather(e, o)),
  compose: async (e, o) =>
    judge(e.rules, await (await import("../../facts/compose.ts")).gather(e, o)),
  stack: async (e, o) => judge(e.rules, await (await import("../../facts/stack.ts")).gather(e, o)),
};

/** Runs the check and prints its report; the exit status is 0 when every check passed. */
export async function check(number: number, options: CheckOptions): Promise<number> {
  const exercise = findExercise(number);
  if (exercise === undefined) throw new CouldNotCheck(`there is no exercise ${String(number)}.`);
  // TypeScript cannot follow that KINDS[kind] takes exercises of that kind: the table's type says so.
  const checker = KINDS[exercise.kind] as Checker<Exercise>;
  const result: Report = {
    exercise: exercise.number,
    title: exercise.title,
    ...(await checker(exercise, options)),
  };
  console.log(options.json ? toJson(result) : toText(result, `npx course check ${String(number)}`));
  return result.passed ? 0 : 1;
}

/** What `--json` prints when nothing could be checked. */
export function couldNotCheck(number: number, message: string) {
  const exercise = findExercise(number);
  return JSON.stringify({
    exercise: number,
    title: exercise?.title ?? "",
    passed: false,
    checks: [],
    advice: [],
    image: {},
    error: message,
  });
}

export function printCouldNotCheck(number: number, message: string, json: boolean) {
  if (json) console.log(couldNotCheck(number, message));
  console.error(red(`Could not check exercise ${String(number)}: ${message}`));
}
