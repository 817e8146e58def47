import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  readRoomState,
  ROOM_ROUTES,
  startRoom,
  type RoomExport,
  type StartRoomOptions,
} from "@course/room";

// The real room, in this process, on 127.0.0.1, with a data folder of its own; and a trainee's
// config folder of its own (COURSE_CONFIG_DIR), both removed after the test.

export function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `course-${prefix}-`));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A trainee's config folder for this test (room.json, outbox/). */
export function traineeConfig(t: TestContext): string {
  const dir = tempDir(t, "config");
  const before = process.env.COURSE_CONFIG_DIR;
  process.env.COURSE_CONFIG_DIR = dir;
  t.after(() => {
    if (before === undefined) delete process.env.COURSE_CONFIG_DIR;
    else process.env.COURSE_CONFIG_DIR = before;
  });
  return dir;
}

export type TestRoom = Awaited<ReturnType<typeof startRoom>> & {
  address: string;
  dataDir: string;
};

/** Starts the room (again, on the same folder and port, when given them); closed after the test. */
export async function openRoom(
  t: TestContext,
  options: Partial<StartRoomOptions> & { dataDir?: string } = {},
): Promise<TestRoom> {
  const dataDir = options.dataDir ?? tempDir(t, "room");
  const room = await startRoom({
    host: "127.0.0.1",
    port: 0,
    logLevel: "silent",
    ...options,
    dataDir,
  });
  t.after(() => room.close());
  return { ...room, address: `http://127.0.0.1:${String(room.port)}`, dataDir };
}

/** What the trainer's export holds: every stored report, oldest first. */
export async function exported(room: TestRoom): Promise<RoomExport> {
  const response = await fetch(`${room.address}${ROOM_ROUTES.exportJson}`, {
    headers: { authorization: `Bearer ${room.trainerKey}` },
  });
  if (!response.ok) throw new Error(`export: ${String(response.status)}`);
  return (await response.json()) as RoomExport;
}

export { readRoomState };
