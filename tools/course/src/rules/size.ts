import { formatSize, MB } from "../lib/format.ts";
import { onImage } from "./image.ts";

// The size check of the image exercises: recorded, and compared with an earlier exercise's
// passing image where the lesson is about size.

/** How the image's size should compare with an earlier exercise's passing image. */
export interface SizeGoal {
  title: string;
  /** The earlier exercises to compare with, in order of preference. */
  compareWith: number[];
  /** passes(size, reference size) */
  passes: (size: number, reference: number) => boolean;
  expected: (reference: string) => string;
  hint: string;
}

export const sizeRule = (goal?: SizeGoal) =>
  onImage({
    id: "size",
    title: goal?.title ?? "size recorded",
    judge: ({ image, previous }) => {
      const earlier = [...previous].sort((a, b) => a.exercise - b.exercise);
      const compared = earlier.length
        ? ` (${earlier.map((p) => `exercise ${String(p.exercise)}: ${formatSize(p.size)}`).join(", ")})`
        : "";
      const found = `${formatSize(image.size)}${compared}`;
      if (goal === undefined)
        return {
          passed: true,
          found,
          expected: "recorded, to compare with the next exercises",
          hint: "",
        };
      const reference = goal.compareWith
        .map((n) => earlier.find((p) => p.exercise === n))
        .find((p) => p !== undefined);
      return {
        passed: reference === undefined || goal.passes(image.size, reference.size),
        found,
        expected: reference
          ? goal.expected(
              `your exercise ${String(reference.exercise)} image (${formatSize(reference.size)})`,
            )
          : `${goal.expected("your earlier images")}: none passed yet, run \`course check ${String(goal.compareWith[0])}\` to compare`,
        hint: goal.hint,
      };
    },
  });

export const smallerThan = (compareWith: number[]): SizeGoal => ({
  title: "smaller than before",
  compareWith,
  passes: (size, reference) => size < reference,
  expected: (reference) => `smaller than ${reference}`,
  hint: "Everything the runtime stage installs or copies ships. `docker history` shows what each layer of the final stage adds: which of it does the running API never use?",
});

export const aboutTheSizeOf = (exercise: number): SizeGoal => ({
  title: "a user costs (almost) nothing",
  compareWith: [exercise],
  passes: (size, reference) => size <= reference * 1.05 + 5 * MB,
  expected: (reference) => `about the size of ${reference}: a user is a line in /etc/passwd`,
  hint: "A layer that changes files stores them again. `docker history` shows which layer grew: can the files get their owner when they are copied?",
});
