import { startRoom } from "./index.ts";
import { ROOM_DEFAULT_PORT } from "./contract.ts";

// The room in a container: configuration from the environment, read once. ROOM_IMAGES lists
// archive paths separated by commas (mounted read-only); ROOM_CODE and ROOM_TRAINER_KEY are kept
// in the data volume after the first start when not given.

/** `docker stop` waits 10 s; the room has nothing in flight that needs more than this. */
const SHUTDOWN_DEADLINE_MS = 1500;

function env(name: string, fallback?: string) {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}

function port() {
  const raw = env("PORT", String(ROOM_DEFAULT_PORT)) ?? "";
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`PORT must be a port number (1-65535), not "${raw}".`);
    process.exit(1);
  }
  return value;
}

try {
  const code = env("ROOM_CODE");
  const trainerKey = env("ROOM_TRAINER_KEY");
  const room = await startRoom({
    port: port(),
    host: env("HOST", "0.0.0.0"),
    dataDir: env("ROOM_DATA", "/data") ?? "/data",
    images: (env("ROOM_IMAGES") ?? "").split(",").filter((path) => path.trim() !== ""),
    logLevel: env("LOG_LEVEL", "info"),
    progress: (line) => {
      console.error(line);
    },
    ...(code === undefined ? {} : { code }),
    ...(trainerKey === undefined ? {} : { trainerKey }),
  });
  // Like a notebook server: the page's address with its key, in the log of the trainer's own container.
  room.app.log.info(
    { code: room.code, page: `/?key=${room.trainerKey}`, archives: room.archives.length },
    "room open: trainees join with the code; the trainer opens the page",
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    room.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
