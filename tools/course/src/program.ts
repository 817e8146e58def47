import { ROOM_DEFAULT_PORT } from "@course/room/contract";
import { Command, InvalidArgumentError, Option } from "commander";
import { EXERCISES, exerciseRange, findExercise } from "./catalogue.ts";
import { cleanupAll, cleanUpOnInterrupt, interrupted } from "./lib/cleanup.ts";
import { CouldNotCheck, errorMessage } from "./lib/errors.ts";
import { solutionCommand } from "./commands/solution/command.ts";
import {
  formatPlatform,
  parsePlatform,
  ROOM_PLATFORMS,
  samePlatform,
  type Platform,
} from "./lib/platform.ts";
import { roomWanted } from "./lib/room-client.ts";
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

const platformList = (value: string): Platform[] => {
  const platforms = value.split(",").map((text) => {
    const platform = parsePlatform(text);
    if (!platform) throw new InvalidArgumentError(`"${text}" is not a platform like linux/arm64`);
    return platform;
  });
  return platforms.filter(
    (platform, i) => platforms.findIndex((other) => samePlatform(other, platform)) === i,
  );
};

/** `os/arch[/variant]`, as docker build and docker run take it. */
const platform = (value: string) => {
  const parsed = parsePlatform(value);
  if (!parsed) throw new InvalidArgumentError("a platform such as linux/amd64 or linux/arm64");
  return formatPlatform(parsed);
};

// Whole seconds, as compose's --wait-timeout (which the compose check passes it to) takes them.
const seconds = (value: string) => {
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0)
    throw new InvalidArgumentError("whole seconds, above 0 (e.g. 120)");
  return Number(value);
};

/**
 * Runs a command's action, cleans up, and exits with its status (2 when it could not check).
 * A command that serves until Ctrl-C (the room) handles the signal itself and stops cleanly.
 */
function action<Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
  onCouldNot?: (message: string, ...args: Args) => Promise<void>,
  options: { handlesSignals?: boolean } = {},
) {
  return async (...args: Args) => {
    if (!options.handlesSignals) cleanUpOnInterrupt();
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

/** Every check and doctor also goes to the room a trainee joined, unless they say not to. */
const NO_ROOM = "--no-room";
const NO_ROOM_HELP =
  "do not send this result to the trainer's room (`course room join`); COURSE_ROOM=off does the same";

interface CheckFlags {
  file?: string;
  context?: string;
  json?: boolean;
  timeout?: number;
  tag?: string;
  saveFacts?: string;
  room: boolean;
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
    "build and run for another platform, e.g. linux/arm64 (image and compose exercises; emulated where the engine's differs)",
    platform,
  )
  .addOption(new Option("--tag <tag>", "image tag, compose project or stack name").hideHelp())
  .addOption(new Option("--save-facts <file>", "record what the checks read").hideHelp())
  .option(NO_ROOM, NO_ROOM_HELP)
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
          room: roomWanted(flags.room),
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
  .option(NO_ROOM, NO_ROOM_HELP)
  .action(
    action(
      async (flags: {
        offline?: boolean;
        json?: boolean;
        azure?: boolean;
        envFile?: string;
        room: boolean;
      }) => {
        const { doctor } = await import("./commands/doctor/index.ts");
        return doctor({
          offline: flags.offline === true,
          json: flags.json === true,
          room: roomWanted(flags.room),
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
  .description(
    "pull the class's images for every platform in the room and write them into one archive (.tar, or .tar.gz)",
  )
  .argument("<file>", "archive to write")
  .option(
    "--platform <platforms>",
    `comma-separated platforms the room's laptops are (default: ${ROOM_PLATFORMS.join(",")})`,
    platformList,
  )
  .option("--no-pull", "save the images already on this machine, pull nothing")
  .option("--image <name...>", "save these images instead of the class's list")
  .action(
    action(
      async (file: string, flags: { pull: boolean; image?: string[]; platform?: Platform[] }) => {
        const { saveImages } = await import("./commands/images/index.ts");
        return saveImages(file, {
          pull: flags.pull,
          platforms: flags.platform ?? platformList(ROOM_PLATFORMS.join(",")),
          ...(flags.image ? { images: flags.image } : {}),
        });
      },
    ),
  );

images
  .command("load")
  .description(
    "load an archive written by `course images save` for this laptop's platform, or download it from the room and load it",
  )
  .argument("<file>", "archive to read, or the room's address (as on the board: 192.168.1.10:7070)")
  .option("--image <name...>", "images the archive may hold besides the class's list")
  .action(
    action(async (file: string, flags: { image?: string[] }) => {
      const { isRoomAddress, loadFromRoom } = await import("./commands/images/from-room.ts");
      const images = flags.image ? { images: flags.image } : {};
      if (isRoomAddress(file)) return loadFromRoom(file, images);
      const { loadImages } = await import("./commands/images/index.ts");
      return loadImages(file, images);
    }),
  );

program.addCommand(solutionCommand);
const port = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535)
    throw new InvalidArgumentError("a port number, 0 to 65535");
  return number;
};

/** What a room command prints when it cannot do its job: "Could not join the room: …". */
const couldNot = (what: string) => (message: string) => {
  console.error(red(`Could not ${what}: ${message}`));
  return Promise.resolve();
};

const room = program
  .command("room")
  .description("the trainer's live view of the class: every trainee's checks on one page");

room
  .command("start")
  .description(
    "start the room on this laptop: prints the line for the board and your page (Ctrl-C stops it)",
  )
  .option("--port <port>", "port to listen on", port, ROOM_DEFAULT_PORT)
  .option("--host <address>", "listen only on this address (default: every network)", "0.0.0.0")
  .option("--data <dir>", "the room's data folder (default: .course/room)")
  .option("--images <archive...>", "class image archives (`course images save`) to hand out")
  .action(
    action(
      async (flags: { port: number; host: string; data?: string; images?: string[] }) => {
        const { start } = await import("./commands/room/start.ts");
        return start({ ...flags, images: flags.images ?? [] });
      },
      couldNot("start the room"),
      { handlesSignals: true },
    ),
  );

room
  .command("join")
  .description("join the trainer's room (the line on the board): your checks show on their page")
  .argument("<address>", "the room's address, as on the board (192.168.1.10:7070)")
  .requiredOption("--code <code>", "the room code on the board")
  .requiredOption("--name <name>", "your name, as the trainer will see it")
  .action(
    action(async (address: string, flags: { code: string; name: string }) => {
      const { join } = await import("./commands/room/join.ts");
      return join(address, flags);
    }, couldNot("join the room")),
  );

room
  .command("leave")
  .description("forget the room: checks are no longer sent")
  .action(
    action(async () => {
      const { leave } = await import("./commands/room/join.ts");
      return leave();
    }),
  );

room
  .command("status")
  .description("the room's grid in the terminal, from its data folder (the room may be stopped)")
  .option("--data <dir>", "the room's data folder (default: .course/room)")
  .option("--json", "print the room's state as JSON")
  .action(
    action(async (flags: { data?: string; json?: boolean }) => {
      const { status } = await import("./commands/room/status.ts");
      return status({ json: flags.json === true, ...(flags.data ? { data: flags.data } : {}) });
    }, couldNot("read the room")),
  );
