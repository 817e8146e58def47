import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { StackExercise } from "../../catalogue.ts";
import { readStack } from "../../facts/stack.ts";
import { CouldNotCheck } from "../../lib/errors.ts";
import { inRepo, shown, userCwd } from "../../lib/paths.ts";
import type { CheckOptions } from "./options.ts";

// `course check 6`: the trainee's stack file, read as it is; nothing is started, so there is
// nothing to clean up. Running it on a swarm is the exercise's own steps.

export function checkStack(exercise: StackExercise, options: CheckOptions) {
  const path = options.file ? resolve(userCwd, options.file) : inRepo(exercise.file);
  if (!existsSync(path))
    throw new CouldNotCheck(
      options.file
        ? `there is no stack file at ${shown(path)}.`
        : `there is no stack file: write ${exercise.file}, or name one with --file.`,
    );
  return readStack(path);
}
