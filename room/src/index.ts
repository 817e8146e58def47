import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildRoomApp } from "./app.ts";
import { ROOM_DEFAULT_PORT } from "./contract.ts";
import { indexArchives, type Progress } from "./images.ts";
import { DATABASE_FILE, newRoomCode, openRoomStore } from "./store.ts";

// What the course CLI uses: the API contract, startRoom() for `course room start`, and
// readRoomState() for `course room status` (it reads the data folder, the server need not run).

export * from "./contract.ts";
export { buildRoomApp, type RoomApp, type RoomAppOptions } from "./app.ts";
export { openRoomStore, type RoomStore } from "./store.ts";

export interface StartRoomOptions {
  port?: number;
  /** Where to listen; 0.0.0.0 (every interface) unless restricted. */
  host?: string;
  dataDir: string;
  /** Paths of the class image archives to serve. */
  images?: readonly string[];
  /** Kept from the last start unless given (a new one the first time). */
  code?: string;
  trainerKey?: string;
  roomName?: string;
  logLevel?: string;
  /** Lines for a person waiting, e.g. the hashing of large archives. */
  progress?: Progress;
}

/** The room's code and key: as given, else as stored, else new; stored for the next start. */
function secrets(store: ReturnType<typeof openRoomStore>, options: StartRoomOptions) {
  const code = options.code ?? store.meta("code") ?? newRoomCode();
  const trainerKey =
    options.trainerKey ?? store.meta("trainerKey") ?? randomBytes(24).toString("base64url");
  store.setMeta("code", code);
  store.setMeta("trainerKey", trainerKey);
  return { code, trainerKey };
}

export async function startRoom(options: StartRoomOptions) {
  const archives = await indexArchives(options.images ?? [], options.progress);
  const store = openRoomStore(options.dataDir);
  const { code, trainerKey } = secrets(store, options);
  const { app } = buildRoomApp({
    store,
    code,
    trainerKey,
    archives,
    ...(options.roomName === undefined ? {} : { roomName: options.roomName }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  });
  const host = options.host ?? "0.0.0.0";
  try {
    await app.listen({ port: options.port ?? ROOM_DEFAULT_PORT, host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port =
    typeof address === "object" && address !== null
      ? address.port
      : (options.port ?? ROOM_DEFAULT_PORT);
  return {
    app,
    host,
    port,
    code,
    trainerKey,
    archives: archives.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
    close: () => app.close(),
  };
}

export type RunningRoom = Awaited<ReturnType<typeof startRoom>>;

/** What the page would show, from the data folder alone (the room may be stopped). */
export function readRoomState(dataDir: string) {
  // Reading never makes a room: a folder without the room's database is not room data.
  if (!existsSync(join(dataDir, DATABASE_FILE)))
    throw new Error(`no ${DATABASE_FILE} here: this is not a room's data folder`);
  const store = openRoomStore(dataDir);
  try {
    return { ...store.view(), code: store.meta("code") };
  } finally {
    store.close();
  }
}
