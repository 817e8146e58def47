import { Command, InvalidArgumentError, Option } from "commander";
import { EXERCISES, exerciseRange, findExercise } from "./catalogue.ts";
import { cleanupAll, cleanUpOnInterrupt, interrupted } from "./lib/cleanup.ts";
import { CouldNotCheck, errorMessage } from "./lib/errors.ts";
import { solutionCommand } from "./commands/solution/command.ts";
import { red } from "./lib/ui.ts";

// The `course` command's commands and options, built without parsing, so that a test can read
// them (the docs must name only commands and flags that exist); main.ts parses. Each command lives
// in commands/<name>/ and is loaded only when it runs; what they share is in lib/. Exit status:
// 0 all good, 1 something to fix, 2 could not check at all, 130 interrupted.

const exerciseNumber = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || findExercise(number) === undefined)
    throw new InvalidArgumentError(`an exercise number from ${exerciseRange()}`);
  return number;
};

/** `os/arch[/variant]`, as docker build and docker run take it. */
const platform = (value: string) => {
  if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(value))
    throw new InvalidArgumentError("a platform such as linux/amd64 or linux/arm64");
  return value;
};

const seconds = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError("seconds, above 0");
  return number;
};

/** Runs a command's action, cleans up, and exits with its status (2 when it could not check). */
function action<Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
  onCouldNot?: (message: string, ...args: Args) => Promise<void>,
) {
  return async (...args: Args) => {
    cleanUpOnInterrupt();
    let status: number;
    try {
      status = await run(...args);
    } catch (error) {
      const message = errorMessage(error);
      if (onCouldNot) await onCouldNot(message, ...args);
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
  timeout?: number;
  tag?: string;
  saveFacts?: string;
  platform?: string;
}

const kinds = (kind: "image" | "compose" | "stack") =>
  EXERCISES.filter((e) => e.kind === kind)
    .map((e) => e.number)
    .join(", ");

export const program = new Command("course")
  .description(
    "The Advanced Docker course: check an exercise, compare image sizes, ready a classroom",
  )
  .showHelpAfterError()
  .addHelpText(
    "after",
    "\nFor output a program reads (--json), run it without npm's banner: `npx course check 3 --json`\nor `npm run -s course -- check 3 --json`.",
  );

program
  .command("check")
  .description(
    `build, run and check your Dockerfile (${kinds("image")}) or your compose file (${kinds("compose")}); deploy and check your stack file on a swarm (${kinds("stack")})`,
  )
  .argument("<exercise>", `exercise number, ${exerciseRange()}`, exerciseNumber)
  .option(
    "-f, --file <path>",
    "your Dockerfile (default api/Dockerfile), compose file or stack file",
  )
  .option("-c, --context <dir>", "build context of a Dockerfile (default: api/)")
  .option("--json", "print one machine-readable report (pipe it: `npx course check 3 --json`)")
  .option(
    "--timeout <seconds>",
    `how long the API may take to answer, or the stack to be healthy (default: ${EXERCISES.map((e) => `${String(e.number)}: ${String(e.timeout)}`).join(", ")})`,
    seconds,
  )
  .option(
    "--platform <os/arch>",
    "build and run the image for another platform, e.g. linux/arm64 (image exercises; emulated where the engine's differs)",
    platform,
  )
  .addOption(new Option("--tag <tag>", "image tag, compose project or stack name").hideHelp())
  .addOption(new Option("--save-facts <file>", "record what the checks read").hideHelp())
  .action(
    action(
      async (number: number, flags: CheckFlags) => {
        const { check } = await import("./commands/check/index.ts");
        return check(number, {
          json: flags.json === true,
          timeout: flags.timeout ?? findExercise(number)?.timeout ?? 30,
          ...(flags.file ? { file: flags.file } : {}),
          ...(flags.context ? { context: flags.context } : {}),
          ...(flags.tag ? { tag: flags.tag } : {}),
          ...(flags.saveFacts ? { saveFacts: flags.saveFacts } : {}),
          ...(flags.platform ? { platform: flags.platform } : {}),
        });
      },
      async (message, number, flags) => {
        const { printCouldNotCheck } = await import("./commands/check/index.ts");
        printCouldNotCheck(number, message, flags.json === true);
      },
    ),
  );

program
  .command("sizes")
  .description("build and pull the course's images; table, sizes.svg and sizes.md sorted by size")
  .option("--offline", "use the local base images (BUILD_IMAGE, DISTROLESS_IMAGE), pull nothing")
  .option("--out <dir>", "where to write sizes.svg and sizes.md (default: repository root)")
  .action(
    action(async (flags: { offline?: boolean; out?: string }) => {
      const { sizes } = await import("./commands/sizes/index.ts");
      return sizes({ offline: flags.offline === true, ...(flags.out ? { out: flags.out } : {}) });
    }),
  );

program
  .command("doctor")
  .description("is this machine ready for the class? engine, compose, buildx, disk, ports, pulls")
  .option("--offline", "do not ask Docker Hub how many pulls are left")
  .option("--json", "print the findings as JSON")
  .option(
    "--azure",
    "check the Azure Cosmos DB account .env names instead: endpoint, key, capacity mode, throughput",
  )
  .option("--env-file <path>", "the .env file --azure reads (default: .env at the repository root)")
  .action(
    action(
      async (flags: { offline?: boolean; json?: boolean; azure?: boolean; envFile?: string }) => {
        const { doctor } = await import("./commands/doctor/index.ts");
        return doctor({
          offline: flags.offline === true,
          json: flags.json === true,
          ...(flags.azure ? { azure: flags.envFile ? { envFile: flags.envFile } : {} } : {}),
        });
      },
    ),
  );

const images = program
  .command("images")
  .description("one archive with every image the class needs, for rooms behind one address");

images
  .command("list")
  .description("print the images the class needs, one a line, and where the day uses each")
  .option("--json", "print them as JSON")
  .action(
    action(async (flags: { json?: boolean }) => {
      const { listImages } = await import("./commands/images/index.ts");
      return listImages({ json: flags.json === true });
    }),
  );

images
  .command("save")
  .description("pull the class's images and write them into one archive (.tar, or .tar.gz)")
  .argument("<file>", "archive to write")
  .option("--no-pull", "save the images already on this machine, pull nothing")
  .option("--image <name...>", "save these images instead of the class's list")
  .action(
    action(async (file: string, flags: { pull: boolean; image?: string[] }) => {
      const { saveImages } = await import("./commands/images/index.ts");
      return saveImages(file, {
        pull: flags.pull,
        ...(flags.image ? { images: flags.image } : {}),
      });
    }),
  );

images
  .command("load")
  .description("load an archive written by `course images save`")
  .argument("<file>", "archive to read")
  .action(
    action(async (file: string) => {
      const { loadImages } = await import("./commands/images/index.ts");
      return loadImages(file);
    }),
  );

program.addCommand(solutionCommand);
