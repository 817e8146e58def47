import { createHash, randomBytes, randomUUID } from "node:crypto";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  ROOM_EXERCISES,
  type Cell,
  type CheckReport,
  type DoctorReport,
  type ExportRow,
  type ImagesLoadedBody,
  type ReportBody,
  type RoomEvent,
  type Trainee,
} from "./contract.ts";
import { doctorSummary, emptyCell, exerciseSummary, firstFailing, nextCell } from "./summary.ts";

// The room's data: one SQLite file in the data folder (WAL, synchronous=FULL), so that a report
// the room has answered 202 to is on disk before the answer leaves, and survives a kill -9. What
// the page shows is kept in memory too, rebuilt at start by replaying the reports in arrival order.

export const DATABASE_FILE = "room.db";

/** Each entry moves the schema one version up; PRAGMA user_version says how far a file has come. */
const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE trainees (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, joined_at TEXT NOT NULL);
   CREATE TABLE reports (
     seq INTEGER PRIMARY KEY, trainee_id TEXT NOT NULL REFERENCES trainees (id), id TEXT NOT NULL,
     kind TEXT NOT NULL, exercise INTEGER, passed INTEGER NOT NULL, first_failing TEXT,
     at TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (trainee_id, id));
   CREATE TABLE images_loaded (
     trainee_id TEXT NOT NULL REFERENCES trainees (id), archive TEXT NOT NULL, sha256 TEXT NOT NULL,
     platform TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (trainee_id, archive, platform));`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Easy to read off a board and type: no 0/O, 1/I/L. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export function newRoomCode(length = 6) {
  return [...randomBytes(length)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
}

function migrate(db: DatabaseSync) {
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as {
    user_version: number;
  };
  if (version > SCHEMA_VERSION)
    throw new Error(
      `The room's data was written by a newer version (schema ${String(version)}, this one knows ${String(SCHEMA_VERSION)}): update the course kit.`,
    );
  for (let next = version; next < SCHEMA_VERSION; next++) {
    db.exec("BEGIN");
    db.exec(MIGRATIONS[next] ?? "");
    db.exec(`PRAGMA user_version = ${String(next + 1)}`);
    db.exec("COMMIT");
  }
}

/** The arrival time, or the client's own time when that is earlier (a queued report). */
const effectiveAt = (at: string, receivedAt: string) => {
  const parsed = Date.parse(at);
  return Number.isNaN(parsed) || parsed > Date.parse(receivedAt)
    ? receivedAt
    : new Date(parsed).toISOString();
};

interface ReportRow {
  seq: number;
  trainee_id: string;
  id: string;
  kind: "check" | "doctor";
  exercise: number | null;
  passed: number;
  first_failing: string | null;
  at: string;
  received_at: string;
  body: string;
}

export function openRoomStore(dataDir: string) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, DATABASE_FILE);
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = ON");
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  // The file holds the trainer key: readable by its owner only.
  chmodSync(path, 0o600);

  const statements = {
    getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
    setMeta: db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    addTrainee: db.prepare(
      "INSERT INTO trainees (id, name, token_hash, joined_at) VALUES (?, ?, ?, ?)",
    ),
    addReport: db.prepare(
      `INSERT OR IGNORE INTO reports (trainee_id, id, kind, exercise, passed, first_failing, at, received_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addLoaded: db.prepare(
      `INSERT INTO images_loaded (trainee_id, archive, sha256, platform, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET sha256 = excluded.sha256, at = excluded.at`,
    ),
  };

  const trainees = new Map<string, Trainee>();
  const byToken = new Map<string, string>();
  const cells = new Map<string, Cell>();
  const titles = new Map<number, string>();
  const cellKey = (traineeId: string, exercise: number) => `${traineeId}/${String(exercise)}`;

  function cellOf(traineeId: string, exercise: number) {
    return cells.get(cellKey(traineeId, exercise)) ?? emptyCell(traineeId, exercise);
  }

  /** Applies one stored report to what is in memory; returns the event the page gets. */
  function apply(row: Omit<ReportRow, "seq">): RoomEvent | undefined {
    const trainee = trainees.get(row.trainee_id);
    if (trainee === undefined) return undefined;
    const at = effectiveAt(row.at, row.received_at);
    trainee.lastSeen = row.received_at;
    if (row.kind === "doctor") {
      const report = JSON.parse(row.body) as DoctorReport;
      if (trainee.doctor === undefined || trainee.doctor.at <= at)
        trainee.doctor = doctorSummary(report, at);
      return { kind: "doctor", reportId: row.id, trainee };
    }
    const report = JSON.parse(row.body) as CheckReport;
    titles.set(report.exercise, report.title);
    const cell = nextCell(cellOf(trainee.id, report.exercise), report, at);
    cells.set(cellKey(trainee.id, report.exercise), cell);
    return {
      kind: "check",
      reportId: row.id,
      trainee,
      cell,
      perExercise: exerciseSummary(
        report.exercise,
        [...cells.values()],
        trainees,
        titles.get(report.exercise),
      ),
    };
  }

  // Replay: what the page shows is a function of the reports, in the order they arrived.
  for (const row of db
    .prepare("SELECT id, name, joined_at FROM trainees ORDER BY joined_at, id")
    .all() as { id: string; name: string; joined_at: string }[])
    trainees.set(row.id, { id: row.id, name: row.name, joinedAt: row.joined_at, imagesLoaded: [] });
  for (const row of db.prepare("SELECT id, token_hash FROM trainees").all() as {
    id: string;
    token_hash: string;
  }[])
    byToken.set(row.token_hash, row.id);
  for (const row of db
    .prepare("SELECT * FROM reports ORDER BY seq")
    .all() as unknown as ReportRow[])
    apply(row);
  for (const row of db.prepare("SELECT * FROM images_loaded ORDER BY at").all() as {
    trainee_id: string;
    archive: string;
    sha256: string;
    platform: string;
    at: string;
  }[])
    trainees.get(row.trainee_id)?.imagesLoaded.push({
      archive: row.archive,
      sha256: row.sha256,
      platform: row.platform,
      at: row.at,
    });

  return {
    path,
    meta(key: string) {
      return (statements.getMeta.get(key) as { value: string } | undefined)?.value;
    },
    setMeta(key: string, value: string) {
      statements.setMeta.run(key, value);
    },

    /** A new trainee and their token (only its hash is stored). */
    join(name: string) {
      const token = randomBytes(32).toString("base64url");
      const trainee: Trainee = {
        id: randomUUID(),
        name,
        joinedAt: new Date().toISOString(),
        imagesLoaded: [],
      };
      statements.addTrainee.run(trainee.id, name, hashToken(token), trainee.joinedAt);
      trainees.set(trainee.id, trainee);
      byToken.set(hashToken(token), trainee.id);
      return { token, trainee, event: { kind: "joined", trainee } satisfies RoomEvent };
    },

    traineeByToken(token: string) {
      const id = byToken.get(hashToken(token));
      return id === undefined ? undefined : trainees.get(id);
    },

    /**
     * Stores a report (once per trainee and report id) and returns the page's event, or undefined
     * when it was already stored. The row is committed when this returns.
     */
    addReport(traineeId: string, body: ReportBody): RoomEvent | undefined {
      const receivedAt = new Date().toISOString();
      const failing = body.kind === "check" ? firstFailing(body.report) : undefined;
      const row = {
        trainee_id: traineeId,
        id: body.id,
        kind: body.kind,
        exercise: body.kind === "check" ? body.report.exercise : null,
        passed: Number(body.kind === "check" ? body.report.passed : body.report.ok),
        first_failing:
          body.kind === "check" && !body.report.passed ? (failing?.title ?? null) : null,
        at: body.at,
        received_at: receivedAt,
        body: JSON.stringify(body.report),
      };
      const { changes } = statements.addReport.run(
        row.trainee_id,
        row.id,
        row.kind,
        row.exercise,
        row.passed,
        row.first_failing,
        row.at,
        row.received_at,
        row.body,
      );
      return changes === 0 ? undefined : apply(row);
    },

    imagesLoaded(traineeId: string, body: ImagesLoadedBody): RoomEvent | undefined {
      const trainee = trainees.get(traineeId);
      if (trainee === undefined) return undefined;
      const at = new Date().toISOString();
      statements.addLoaded.run(traineeId, body.archive, body.sha256, body.platform, at);
      trainee.imagesLoaded = [
        ...trainee.imagesLoaded.filter(
          (i) => !(i.archive === body.archive && i.platform === body.platform),
        ),
        { ...body, at },
      ];
      return { kind: "images", trainee };
    },

    /** Everything the page draws. */
    view() {
      const allCells: Cell[] = [];
      for (const trainee of trainees.values())
        for (const exercise of ROOM_EXERCISES) allCells.push(cellOf(trainee.id, exercise));
      return {
        exercises: ROOM_EXERCISES.map((exercise) => ({
          exercise,
          ...(titles.has(exercise) ? { title: titles.get(exercise) } : {}),
        })),
        trainees: [...trainees.values()],
        cells: allCells,
        perExercise: ROOM_EXERCISES.map((exercise) =>
          exerciseSummary(exercise, allCells, trainees, titles.get(exercise)),
        ),
      };
    },

    /** Every stored report, oldest first, with the trainee's name. */
    exportRows(): ExportRow[] {
      const rows = db.prepare("SELECT * FROM reports ORDER BY seq").all() as unknown as ReportRow[];
      return rows.map((row) => ({
        id: row.id,
        receivedAt: row.received_at,
        at: row.at,
        traineeId: row.trainee_id,
        name: trainees.get(row.trainee_id)?.name ?? "",
        kind: row.kind,
        ...(row.exercise === null ? {} : { exercise: row.exercise }),
        passed: row.passed === 1,
        ...(row.first_failing === null ? {} : { firstFailing: row.first_failing }),
        report: JSON.parse(row.body) as unknown,
      }));
    },

    close() {
      if (db.isOpen) db.close();
    },
  };
}

export type RoomStore = ReturnType<typeof openRoomStore>;
