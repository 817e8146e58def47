import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { arch, homedir, platform, release } from "node:os";
import { join } from "node:path";
import {
  CheckReport,
  DoctorReport,
  JoinReply,
  ROOM_ROUTES,
  type JoinBody,
  type ReportBody,
} from "@course/room/contract";
import { Value } from "typebox/value";
import { CouldNotCheck } from "./errors.ts";
import { networkError } from "./http.ts";

// The trainee's side of the room: the room joined (its address and this trainee's token) kept in
// the user's config folder, and the reports of `course check` and `course doctor` sent to it.
// Sending never changes what the command printed or its exit status, and takes at most one second
// in all: a report the room did not acknowledge waits in the outbox and goes, oldest first,
// before the next one.

export const SEND_BUDGET_MS = 1000;
const JOIN_TIMEOUT_MS = 5000;

export interface JoinedRoom {
  address: string;
  token: string;
  traineeId: string;
  name: string;
}

export type ReportKind = ReportBody["kind"];
type Queued = ReportBody;

export const configDir = () =>
  process.env.COURSE_CONFIG_DIR ?? join(homedir(), ".config", "course");
const roomFile = () => join(configDir(), "room.json");
export const outboxDir = () => join(configDir(), "outbox");

/** `192.168.1.10:7070` or `http://192.168.1.10:7070/` as the base URL requests start from. */
export function roomAddress(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CouldNotCheck(`"${text}" is not a room address (like 192.168.1.10:7070).`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new CouldNotCheck(`"${text}" is not a room address: the room speaks http.`);
  return url.origin;
}

export async function joinedRoom(): Promise<JoinedRoom | undefined> {
  let parsed: Partial<Record<keyof JoinedRoom, unknown>>;
  try {
    parsed = JSON.parse(await readFile(roomFile(), "utf8")) as typeof parsed;
  } catch {
    return undefined;
  }
  const { address, token, traineeId, name } = parsed;
  if (typeof address !== "string" || typeof token !== "string") return undefined;
  return {
    address,
    token,
    traineeId: typeof traineeId === "string" ? traineeId : "",
    name: typeof name === "string" ? name : "",
  };
}

/** Writes a file whole or not at all (a reader never sees half of it). */
async function writeWhole(path: string, text: string) {
  const partial = `${path}.${randomUUID()}.tmp`;
  await writeFile(partial, text, { mode: 0o600 });
  await rename(partial, path);
}

async function post(url: string, body: unknown, init: { token?: string; signal: AbortSignal }) {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: JSON.stringify(body),
    signal: init.signal,
  });
}

/** The room's problem+json detail, or its status line. */
async function problemOf(response: Response): Promise<string> {
  try {
    const problem = (await response.json()) as { detail?: string; title?: string };
    return problem.detail ?? problem.title ?? `${String(response.status)} ${response.statusText}`;
  } catch {
    return `${String(response.status)} ${response.statusText}`;
  }
}

/** Joins the room with its code; stores the room and this trainee's token. */
export async function joinRoom(address: string, code: string, name: string): Promise<JoinedRoom> {
  const base = roomAddress(address);
  let response: Response;
  try {
    response = await post(`${base}${ROOM_ROUTES.join}`, { code, name } satisfies JoinBody, {
      signal: AbortSignal.timeout(JOIN_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CouldNotCheck(`no room answers at ${base} (${networkError(error)}).`);
  }
  if (response.status === 403)
    throw new CouldNotCheck(`the room at ${base} refused the code ${code}: check the board.`);
  if (!response.ok)
    throw new CouldNotCheck(`the room at ${base} refused to join: ${await problemOf(response)}`);
  const answer: unknown = await response.json().catch(() => undefined);
  if (!Value.Check(JoinReply, answer))
    throw new CouldNotCheck(`${base} did not answer as a room does.`);
  const room: JoinedRoom = {
    address: base,
    token: answer.token,
    traineeId: answer.traineeId,
    name,
  };
  const previous = await joinedRoom();
  // Reports queued for another room, or for another name, are not this trainee's in this room.
  if (previous?.address !== base || previous.name !== name) await forgetOutbox();
  await mkdir(configDir(), { recursive: true });
  await writeWhole(roomFile(), `${JSON.stringify(room, null, 2)}\n`);
  return room;
}

async function forgetOutbox() {
  await rm(outboxDir(), { recursive: true, force: true });
}

/**
 * One post to the joined room, when it is the room at `room`, for things that do not queue (the
 * images a trainee loaded): "told", "not joined" (or joined to another room), or "no answer".
 */
export async function tellRoom(
  room: string,
  path: string,
  body: unknown,
): Promise<"told" | "not joined" | "no answer"> {
  const joined = await joinedRoom();
  if (joined?.address !== room) return "not joined";
  try {
    const response = await post(`${room}${path}`, body, {
      token: joined.token,
      signal: AbortSignal.timeout(JOIN_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? "told" : "no answer";
  } catch {
    return "no answer";
  }
}

/** Forgets the room and whatever was waiting to go to it; false when no room was joined. */
export async function leaveRoom(): Promise<boolean> {
  const room = await joinedRoom();
  await rm(roomFile(), { force: true });
  await forgetOutbox();
  return room !== undefined;
}

/** The reports waiting to be sent, oldest first. */
export async function queued(): Promise<Queued[]> {
  let names: string[];
  try {
    names = (await readdir(outboxDir())).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  const entries: Queued[] = [];
  for (const name of names) {
    try {
      entries.push(JSON.parse(await readFile(join(outboxDir(), name), "utf8")) as Queued);
    } catch {
      // Half-written by a process that was killed: the rename never happened, nothing to send.
    }
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

/** Whether this run sends its report: not with --no-room, not with COURSE_ROOM=off. */
export const roomWanted = (flag: boolean | undefined) =>
  flag !== false && process.env.COURSE_ROOM?.toLowerCase() !== "off";

type Outcome = "sent" | "refused" | "later";

/**
 * One queued report to the room: "sent" when acknowledged, "refused" when the room will never
 * take it (it is dropped), "later" when the room is away or busy.
 */
async function deliver(room: JoinedRoom, entry: Queued, signal: AbortSignal): Promise<Outcome> {
  const response = await post(`${room.address}${ROOM_ROUTES.reports}`, entry, {
    token: room.token,
    signal,
  });
  await response.body?.cancel();
  if (response.ok) return "sent";
  const retry = response.status >= 500 || [401, 403, 408, 429].includes(response.status);
  return retry ? "later" : "refused";
}

async function flush(room: JoinedRoom, signal: AbortSignal) {
  let sent = 0;
  for (const entry of await queued()) {
    const outcome = await deliver(room, entry, signal);
    if (outcome === "later") break;
    await rm(join(outboxDir(), `${entry.id}.json`), { force: true });
    if (outcome === "sent") sent += 1;
  }
  return sent;
}

/**
 * What leaves the laptop: the report's own fields as the room's schema names them, nothing else
 * (a check's image details and container log stay here); for doctor, the laptop's system too.
 */
export function roomReport(kind: ReportKind, report: unknown): Queued["report"] {
  const copy: unknown = structuredClone(report);
  if (kind === "check") return Value.Clean(CheckReport, copy) as CheckReport;
  const machine = { platform: platform(), arch: arch(), release: release() };
  return Value.Clean(DoctorReport, { ...(copy as object), machine }) as DoctorReport;
}

/**
 * Queues the report for the joined room and sends what waits, oldest first, within the budget.
 * Never throws and never prints: the command's output and exit status are its own.
 */
export async function sendToRoom(
  kind: ReportKind,
  report: unknown,
  budgetMs = SEND_BUDGET_MS,
): Promise<{ sent: number }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<{ sent: number }>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error("the room did not answer in time"));
      resolve({ sent: 0 });
    }, budgetMs);
  });
  const work = (async () => {
    const room = await joinedRoom();
    if (!room) return { sent: 0 };
    const entry = {
      kind,
      id: randomUUID(),
      at: new Date().toISOString(),
      report: roomReport(kind, report),
    } as Queued;
    await mkdir(outboxDir(), { recursive: true });
    await writeWhole(join(outboxDir(), `${entry.id}.json`), JSON.stringify(entry));
    return { sent: await flush(room, controller.signal) };
  })().catch(() => ({ sent: 0 }));
  try {
    return await Promise.race([work, outOfTime]);
  } finally {
    clearTimeout(timer);
  }
}
