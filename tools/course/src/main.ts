import { Command, InvalidArgumentError, Option } from "commander";
import { checkImage, type CheckOptions } from "./check.ts";
import { cleanupAll, cleanUpOnInterrupt, interrupted } from "./cleanup.ts";
import { checkCompose } from "./compose.ts";
import { diagnose, printFindings } from "./doctor.ts";
import { CouldNotCheck, errorMessage } from "./engine.ts";
import { loadImages, saveImages } from "./images.ts";
import { type Report, toJson, toText } from "./report.ts";
import { sizes } from "./sizes.ts";
import { red } from "./ui.ts";

// The `course` command: `npm run course -- <command>` from the repository root, or `npx course`.
// Exit status: 0 all good, 1 something to fix, 2 could not check at all.

const exerciseNumber = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 5)
    throw new InvalidArgumentError("an exercise number from 1 to 5");
  return number;
};

const seconds = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError("seconds, above 0");
  return number;
};

/** Runs a command's action, cleans up, and exits with its status (2 when it could not check). */
function action<Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
  onCouldNot?: (message: string, ...args: Args) => void,
) {
  return async (...args: Args) => {
    cleanUpOnInterrupt();
    let status: number;
    try {
      status = await run(...args);
    } catch (error) {
      const message = errorMessage(error);
      if (onCouldNot) onCouldNot(message, ...args);
      else console.error(red(`Could not check: ${message}`));
      if (!(error instanceof CouldNotCheck) && process.env.COURSE_DEBUG) console.error(error);
      status = 2;
    }
    const stopping = interrupted();
    if (stopping) return stopping;
    for (const problem of await cleanupAll()) console.error(`could not remove ${problem}`);
    process.exit(status);
  };
}

interface CheckFlags {
  file?: string;
  context?: string;
  json?: boolean;
  timeout: number;
  tag?: string;
  saveFacts?: string;
}

const program = new Command("course")
  .description(
    "The Advanced Docker course: check an exercise, compare image sizes, ready a classroom",
  )
  .showHelpAfterError();

program
  .command("check")
  .description("build, run and check your Dockerfile (1-4) or your compose file (5)")
  .argument("<exercise>", "exercise number, 1 to 5", exerciseNumber)
  .option("-f, --file <path>", "Dockerfile (default api/Dockerfile), or compose file for 5")
  .option("-c, --context <dir>", "build context (default: api/)")
  .option("--json", "print one machine-readable report")
  .option("--timeout <seconds>", "how long the API may take to answer", seconds, 30)
  .addOption(new Option("--tag <tag>", "tag for the built image").hideHelp())
  .addOption(new Option("--save-facts <file>", "record what the checks read").hideHelp())
  .action(
    action(
      async (exercise: number, flags: CheckFlags) => {
        const json = flags.json === true;
        let report: Report;
        if (exercise === 5) {
          report = await checkCompose({
            ...(flags.file ? { file: flags.file } : {}),
            json,
            timeout: Math.max(flags.timeout, 180),
          });
        } else {
          const options: CheckOptions = { exercise, json, timeout: flags.timeout };
          if (flags.file) options.file = flags.file;
          if (flags.context) options.context = flags.context;
          if (flags.tag) options.tag = flags.tag;
          if (flags.saveFacts) options.saveFacts = flags.saveFacts;
          report = await checkImage(options);
        }
        console.log(
          json ? toJson(report) : toText(report, `npm run course -- check ${String(exercise)}`),
        );
        return report.passed ? 0 : 1;
      },
      (message, exercise, flags) => {
        if (flags.json)
          console.log(
            JSON.stringify({ exercise, passed: false, checks: [], image: {}, error: message }),
          );
        console.error(red(`Could not check exercise ${String(exercise)}: ${message}`));
      },
    ),
  );

program
  .command("sizes")
  .description("build and pull the course's images; table, sizes.svg and sizes.md sorted by size")
  .option("--offline", "use the local base images (BUILD_IMAGE, DISTROLESS_IMAGE), pull nothing")
  .option("--out <dir>", "where to write sizes.svg and sizes.md (default: repository root)")
  .action(
    action((flags: { offline?: boolean; out?: string }) =>
      sizes({ offline: flags.offline === true, ...(flags.out ? { out: flags.out } : {}) }),
    ),
  );

program
  .command("doctor")
  .description("is this machine ready for the class? engine, compose, buildx, disk, ports, pulls")
  .option("--offline", "do not ask Docker Hub how many pulls are left")
  .option("--json", "print the findings as JSON")
  .action(
    action(async (flags: { offline?: boolean; json?: boolean }) => {
      const findings = await diagnose({ offline: flags.offline === true });
      const failed = findings.some((f) => f.status === "fail");
      if (flags.json) console.log(JSON.stringify({ ok: !failed, findings }, null, 2));
      else printFindings(findings);
      return failed ? 1 : 0;
    }),
  );

const images = program
  .command("images")
  .description("one archive with every image the class needs, for rooms behind one address");

images
  .command("save")
  .description("pull the class's images and write them into one archive (.tar, or .tar.gz)")
  .argument("<file>", "archive to write")
  .option("--no-pull", "save the images already on this machine, pull nothing")
  .option("--image <name...>", "save these images instead of the class's list")
  .action(
    action((file: string, flags: { pull: boolean; image?: string[] }) =>
      saveImages(file, { pull: flags.pull, ...(flags.image ? { images: flags.image } : {}) }),
    ),
  );

images
  .command("load")
  .description("load an archive written by `course images save`")
  .argument("<file>", "archive to read")
  .action(action((file: string) => loadImages(file)));

await program.parseAsync();
