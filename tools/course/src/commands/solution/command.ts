import { Command, InvalidArgumentError, Option } from "commander";
import { exerciseRange, findExercise } from "../../catalogue.ts";
import { errorMessage } from "../../lib/errors.ts";
import { red } from "../../lib/ui.ts";

// The `solution` command's arguments and help, read by program.ts; its work (index.ts) is loaded
// only when it runs.

const exerciseNumber = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || findExercise(number) === undefined)
    throw new InvalidArgumentError(`an exercise number from ${exerciseRange()}`);
  return number;
};

export const solutionCommand = new Command("solution")
  .description(
    "put the reference answer of an exercise in place, your own files kept aside in .course/kept/",
  )
  .argument("<exercise>", `exercise number, ${exerciseRange()}`, exerciseNumber)
  .addOption(new Option("--root <dir>", "the repository to work in").hideHelp())
  .showHelpAfterError()
  .action(async (number: number, flags: { root?: string }) => {
    const { solution } = await import("./index.ts");
    let status: number;
    try {
      status = solution(number, flags.root ? { root: flags.root } : {});
    } catch (error) {
      console.error(red(`Could not put the answer in place: ${errorMessage(error)}`));
      status = 2;
    }
    process.exit(status);
  });
