import { type Exercise, findExercise } from "../../catalogue.ts";
import { CouldNotCheck } from "../../lib/errors.ts";
import { type Report, toJson, toText } from "../../lib/report.ts";
import { red } from "../../lib/ui.ts";
import type { CheckOptions } from "./options.ts";

// `course check <n>`: the catalogue says what kind of exercise n is; an image exercise is built,
// run and probed, a compose exercise started and called, a stack deployed on a swarm. All end in
// the same report.

async function report(exercise: Exercise, options: CheckOptions): Promise<Report> {
  const common = { exercise: exercise.number, title: exercise.title };
  if (exercise.kind === "image") {
    const { checkImage } = await import("./image.ts");
    return { ...common, ...(await checkImage(exercise, options)) };
  }
  if (options.context || options.saveFacts)
    throw new CouldNotCheck(
      `exercise ${String(exercise.number)} checks a ${exercise.kind} file: --context and --save-facts are for the image exercises.`,
    );
  if (exercise.kind === "stack") {
    const { checkStack } = await import("./stack.ts");
    const facts = await checkStack(exercise, options);
    const checks = exercise.rules.map((rule) => rule(facts));
    return { ...common, passed: checks.every((c) => c.passed), checks, image: {} };
  }
  const { checkCompose } = await import("./compose.ts");
  const { facts, image } = await checkCompose(exercise, options);
  const checks = exercise.rules.map((rule) => rule(facts));
  return { ...common, passed: checks.every((c) => c.passed), checks, image };
}

/** Runs the check and prints its report; the exit status is 0 when every check passed. */
export async function check(number: number, options: CheckOptions): Promise<number> {
  const exercise = findExercise(number);
  if (exercise === undefined) throw new CouldNotCheck(`there is no exercise ${String(number)}.`);
  const result = await report(exercise, options);
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
    image: {},
    error: message,
  });
}

export function printCouldNotCheck(number: number, message: string, json: boolean) {
  if (json) console.log(couldNotCheck(number, message));
  console.error(red(`Could not check exercise ${String(number)}: ${message}`));
}
