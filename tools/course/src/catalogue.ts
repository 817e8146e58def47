import { COMPOSE_RULES } from "./rules/compose.ts";
import type { ComposeRule } from "./rules/compose-rule.ts";
import {
  built,
  docsAnswers,
  execForm,
  filesReadable,
  type ImageRule,
  multiStage,
  nodeFromApk,
  nodeOfficial,
  nodePresent,
  nonRoot,
  osAlpine,
} from "./rules/image.ts";
import { aboutTheSizeOf, sizeRule, smallerThan } from "./rules/size.ts";
import { STACK_RULES, type StackRule } from "./rules/stack.ts";

// The exercise catalogue: everything the course tool knows about each exercise, in one place.
// `course check N` validates N against it and runs the exercise's rules; reports take its title;
// `course sizes` builds its solutions. A new exercise is one entry here plus its rules.

interface Common {
  number: number;
  /** The folder name under exercises/ and solutions/: `01-alpine-by-hand`. */
  slug: string;
  title: string;
  /** What `check` reads when --file is not given, relative to the repository root. */
  file: string;
  /** Default --timeout: seconds for the app to answer, or for the stack to be healthy. */
  timeout: number;
}

/** An exercise whose answer is a Dockerfile: built, run and probed. */
export interface ImageExercise extends Common {
  kind: "image";
  /** The build context when neither --file nor --context is given. */
  context: string;
  rules: ImageRule[];
}

/** An exercise whose answer is a compose file and a service: started, called, taken down. */
export interface ComposeExercise extends Common {
  kind: "compose";
  /** Tried after `file` when it does not exist (the course's own stack). */
  fallback: string;
  rules: ComposeRule[];
}

/** An exercise whose answer is a swarm stack file: read, deployed on a swarm, removed. */
export interface StackExercise extends Common {
  kind: "stack";
  rules: StackRule[];
}

export type Exercise = ImageExercise | ComposeExercise | StackExercise;

const image = (
  entry: Omit<ImageExercise, "kind" | "file" | "context" | "timeout">,
): ImageExercise => ({
  kind: "image",
  file: "api/Dockerfile",
  context: "api",
  timeout: 30,
  ...entry,
});

export const EXERCISES: readonly Exercise[] = [
  image({
    number: 1,
    slug: "01-alpine-by-hand",
    title: "Node.js on Alpine, by hand",
    rules: [
      built,
      osAlpine(
        "Exercise 1 starts from plain Alpine Linux, the smallest base that still has a package manager. Which image does your FROM line name?",
      ),
      nodePresent,
      nodeFromApk,
      execForm,
      docsAnswers,
      sizeRule(),
    ],
  }),
  image({
    number: 2,
    slug: "02-node-alpine",
    title: "an Alpine image that already has Node.js",
    rules: [
      built,
      osAlpine(
        "Exercise 2 uses the official Node.js image in its Alpine variant: which of its tags on Docker Hub name Alpine?",
      ),
      nodePresent,
      nodeOfficial,
      execForm,
      docsAnswers,
      sizeRule(),
    ],
  }),
  image({
    number: 3,
    slug: "03-multi-stage",
    title: "a multi-stage build",
    rules: [built, ...multiStage, docsAnswers, sizeRule(smallerThan([2, 1]))],
  }),
  image({
    number: 4,
    slug: "04-non-root",
    title: "run as a user that is not root",
    rules: [built, ...multiStage, nonRoot, filesReadable, docsAnswers, sizeRule(aboutTheSizeOf(3))],
  }),
  {
    kind: "compose",
    number: 5,
    slug: "05-compose-employees",
    title: "compose, and a microservice of your own",
    file: "exercises/05-compose-employees/compose.yaml",
    fallback: "compose.yaml",
    timeout: 180,
    rules: COMPOSE_RULES,
  },
  {
    kind: "stack",
    number: 6,
    slug: "06-compose-to-swarm",
    title: "going further: from compose to a cluster",
    file: "exercises/06-compose-to-swarm/stack.yaml",
    timeout: 180,
    rules: STACK_RULES,
  },
];

export const readmeOf = (exercise: Exercise) => `exercises/${exercise.slug}/README.md`;
export const solutionOf = (exercise: Exercise) => `solutions/${exercise.slug}`;

export function findExercise(number: number): Exercise | undefined {
  return EXERCISES.find((e) => e.number === number);
}

export const exerciseRange = () => {
  const numbers = EXERCISES.map((e) => e.number);
  return `${String(Math.min(...numbers))} to ${String(Math.max(...numbers))}`;
};
