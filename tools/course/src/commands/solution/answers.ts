import { type Exercise, solutionOf } from "../../catalogue.ts";

// What `course solution N` copies: for each exercise, the reference answer's files (repository
// paths) and where the trainee's work lives. Derived from the catalogue, so an exercise's folder
// or file is named there only.

export interface Copy {
  /** A file or folder of the reference answer, from the repository root. */
  from: string;
  /** Where the trainee's version of it lives, from the repository root. */
  to: string;
}

export interface Answer {
  copies: Copy[];
  /** Exact texts to replace in the copied files: a package name that must not clash. */
  renames: [string, string][];
  /** The root lockfile must list the copied workspace before `npm ci` in an image build. */
  syncLockfile: boolean;
}

export function answerOf(exercise: Exercise): Answer {
  switch (exercise.kind) {
    case "image":
      return {
        copies: [{ from: `${solutionOf(exercise)}/Dockerfile`, to: exercise.file }],
        renames: [],
        syncLockfile: false,
      };
    case "compose":
      return {
        copies: [
          { from: `${solutionOf(exercise)}/services/employee`, to: "services/employee" },
          { from: `${solutionOf(exercise)}/compose.yaml`, to: exercise.file },
        ],
        renames: [["@course/employee-solution", "@course/employee"]],
        syncLockfile: true,
      };
    case "stack":
      return {
        copies: [{ from: "deploy/swarm/stack.yaml", to: exercise.file }],
        renames: [],
        syncLockfile: false,
      };
  }
}
