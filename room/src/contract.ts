import { Type, type Static } from "typebox";

// The room's HTTP API, in one place: the room server validates with these schemas and the course
// CLI's room client sends and reads with them. Paths, limits and shapes are stated here only.

export const ROOM_DEFAULT_PORT = 7070;

/** The exercises the trainer's page has a column for (the course's catalogue has the same numbers). */
export const ROOM_EXERCISES = [1, 2, 3, 4, 5, 6] as const;

export const ROOM_LIMITS = {
  /** Request body bytes for POST /api/join. */
  joinBody: 1024,
  /** Request body bytes for POST /api/reports and the other trainee posts. */
  reportBody: 64 * 1024,
  /** A trainee's name, after trimming. */
  nameLength: 60,
  /** Requests per token (or per address before joining) per minute. */
  requestsPerMinute: 240,
} as const;

export const ROOM_ROUTES = {
  join: "/api/join",
  reports: "/api/reports",
  imagesLoaded: "/api/images/loaded",
  images: "/api/images",
  /** One archive; the client builds the URL with imageUrl(). */
  imageFile: "/images/:name",
  health: "/healthz",
  page: "/",
  pageScript: "/room.js",
  pageStyle: "/room.css",
  state: "/api/state",
  events: "/api/events",
  exportJson: "/api/export.json",
  exportCsv: "/api/export.csv",
} as const;

export const imageUrl = (name: string) => `/images/${encodeURIComponent(name)}`;

/** The trainer's key travels as `Authorization: Bearer <key>` or, for the page and events, ?key=. */
export const TRAINER_KEY_PARAM = "key";

const text = (maxLength: number, extra: object = {}) => Type.String({ maxLength, ...extra });

// ---- trainee side ----

export const JoinBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 32, description: "The room code on the board" }),
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: `Shown on the trainer's page as text; ${String(ROOM_LIMITS.nameLength)} characters at most once trimmed`,
    }),
  },
  { additionalProperties: false },
);
export type JoinBody = Static<typeof JoinBody>;

export const JoinReply = Type.Object({
  token: Type.String({ description: "The trainee's own token: Authorization: Bearer <token>" }),
  traineeId: Type.String(),
  room: Type.Object({ name: Type.Optional(Type.String()) }),
});
export type JoinReply = Static<typeof JoinReply>;

/** One line of `course check --json`. */
export const CheckLine = Type.Object({
  id: text(100, { minLength: 1 }),
  title: text(300),
  passed: Type.Boolean(),
  found: Type.Optional(text(4000)),
  expected: Type.Optional(text(4000)),
  hint: Type.Optional(text(4000)),
  notChecked: Type.Optional(Type.Boolean()),
});
export type CheckLine = Static<typeof CheckLine>;

/** `course check --json`'s object (other fields it carries, such as image and log, are kept). */
export const CheckReport = Type.Object({
  exercise: Type.Integer({ minimum: ROOM_EXERCISES[0], maximum: ROOM_EXERCISES.at(-1) }),
  title: text(300),
  passed: Type.Boolean(),
  checks: Type.Array(CheckLine, { maxItems: 200 }),
  advice: Type.Optional(Type.Array(text(4000), { maxItems: 50 })),
});
export type CheckReport = Static<typeof CheckReport>;

/** One line of `course doctor --json`. */
export const DoctorFinding = Type.Object({
  id: text(100, { minLength: 1 }),
  status: Type.Union([Type.Literal("ok"), Type.Literal("fail"), Type.Literal("skip")]),
  title: text(300),
  detail: text(4000),
  advice: Type.Optional(text(4000)),
});
export type DoctorFinding = Static<typeof DoctorFinding>;

/**
 * `course doctor --json`'s object; `machine` is added by the sender (the laptop's own system,
 * which the findings, being about the engine, do not state).
 */
export const DoctorReport = Type.Object({
  ok: Type.Boolean(),
  findings: Type.Array(DoctorFinding, { maxItems: 100 }),
  machine: Type.Optional(
    Type.Object({
      platform: text(40, { description: "process.platform: linux, darwin, win32" }),
      arch: text(40, { description: "process.arch: x64, arm64" }),
      release: Type.Optional(text(100)),
    }),
  ),
});
export type DoctorReport = Static<typeof DoctorReport>;

const reportEnvelope = {
  id: Type.String({
    format: "uuid",
    description: "Chosen by the client: a resent report is stored once",
  }),
  at: Type.String({ format: "date-time", description: "When the check or doctor ran" }),
};

export const ReportBody = Type.Union([
  Type.Object(
    { kind: Type.Literal("check"), ...reportEnvelope, report: CheckReport },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal("doctor"), ...reportEnvelope, report: DoctorReport },
    { additionalProperties: false },
  ),
]);
export type ReportBody = Static<typeof ReportBody>;

export const ReportReply = Type.Object({ accepted: Type.Literal(true) });
export type ReportReply = Static<typeof ReportReply>;

export const ImagesLoadedBody = Type.Object(
  {
    archive: text(200, { minLength: 1 }),
    sha256: Type.String({ pattern: "^[a-f0-9]{64}$" }),
    platform: text(40, { minLength: 1, description: "e.g. linux/amd64" }),
  },
  { additionalProperties: false },
);
export type ImagesLoadedBody = Static<typeof ImagesLoadedBody>;

export const ImageArchive = Type.Object({
  name: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  platforms: Type.Optional(Type.Array(Type.String())),
});
export type ImageArchive = Static<typeof ImageArchive>;

export const ImageIndex = Type.Object({ archives: Type.Array(ImageArchive) });
export type ImageIndex = Static<typeof ImageIndex>;

export const ImageParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

export const Health = Type.Object({ status: Type.Literal("ok") });

// ---- trainer side ----

export const TrainerQuery = Type.Object({
  [TRAINER_KEY_PARAM]: Type.Optional(Type.String({ maxLength: 200 })),
});

export const CellStatus = Type.Union([
  Type.Literal("not-started"),
  Type.Literal("failing"),
  Type.Literal("passed"),
]);
export type CellStatus = Static<typeof CellStatus>;

const FailingCheck = Type.Object({
  id: Type.String(),
  title: Type.String(),
  hint: Type.Optional(Type.String()),
});

export const Cell = Type.Object({
  traineeId: Type.String(),
  exercise: Type.Integer(),
  status: CellStatus,
  /** The last report for this exercise. */
  at: Type.Optional(Type.String()),
  /** Failing: the first failing check of the last report. */
  failing: Type.Optional(FailingCheck),
  /** Failing: since when the same check has been the first to fail. */
  failingSince: Type.Optional(Type.String()),
  /** Passed: when it first passed. */
  passedAt: Type.Optional(Type.String()),
  runs: Type.Integer(),
});
export type Cell = Static<typeof Cell>;

export const DoctorSummary = Type.Object({
  at: Type.String(),
  ok: Type.Boolean(),
  system: Type.Optional(Type.String()),
  arch: Type.Optional(Type.String()),
  engine: Type.Optional(Type.String()),
  images: Type.Optional(Type.String()),
  failing: Type.Array(Type.String()),
});
export type DoctorSummary = Static<typeof DoctorSummary>;

export const LoadedImage = Type.Object({
  archive: Type.String(),
  sha256: Type.String(),
  platform: Type.String(),
  at: Type.String(),
});

export const Trainee = Type.Object({
  id: Type.String(),
  name: Type.String(),
  joinedAt: Type.String(),
  lastSeen: Type.Optional(Type.String()),
  doctor: Type.Optional(DoctorSummary),
  imagesLoaded: Type.Array(LoadedImage),
});
export type Trainee = Static<typeof Trainee>;

export const ExerciseSummary = Type.Object({
  exercise: Type.Integer(),
  title: Type.Optional(Type.String()),
  passed: Type.Integer(),
  failing: Type.Integer(),
  /** The check that fails first for the most trainees right now. */
  commonFailure: Type.Optional(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      hint: Type.Optional(Type.String()),
      trainees: Type.Integer(),
    }),
  ),
  /** Who has been failing on the same check for longest. */
  stuckLongest: Type.Optional(
    Type.Object({
      traineeId: Type.String(),
      name: Type.String(),
      check: Type.String(),
      since: Type.String(),
    }),
  ),
});
export type ExerciseSummary = Static<typeof ExerciseSummary>;

export const RoomState = Type.Object({
  now: Type.String(),
  room: Type.Object({ name: Type.Optional(Type.String()), startedAt: Type.String() }),
  images: Type.Array(ImageArchive),
  exercises: Type.Array(
    Type.Object({ exercise: Type.Integer(), title: Type.Optional(Type.String()) }),
  ),
  trainees: Type.Array(Trainee),
  cells: Type.Array(Cell),
  perExercise: Type.Array(ExerciseSummary),
});
export type RoomState = Static<typeof RoomState>;

/** The data of each `message` on /api/events: what changed, ready to draw. */
export const RoomEvent = Type.Object({
  kind: Type.Union([
    Type.Literal("joined"),
    Type.Literal("check"),
    Type.Literal("doctor"),
    Type.Literal("images"),
  ]),
  reportId: Type.Optional(Type.String()),
  trainee: Trainee,
  cell: Type.Optional(Cell),
  perExercise: Type.Optional(ExerciseSummary),
});
export type RoomEvent = Static<typeof RoomEvent>;

/** One stored report as exported (JSON; the CSV has the same columns, flattened). */
export const ExportRow = Type.Object({
  id: Type.String(),
  receivedAt: Type.String(),
  at: Type.String(),
  traineeId: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal("check"), Type.Literal("doctor")]),
  exercise: Type.Optional(Type.Integer()),
  passed: Type.Boolean(),
  firstFailing: Type.Optional(Type.String()),
  report: Type.Unknown(),
});
export type ExportRow = Static<typeof ExportRow>;

export const RoomExport = Type.Object({
  exportedAt: Type.String(),
  trainees: Type.Array(Trainee),
  reports: Type.Array(ExportRow),
});
export type RoomExport = Static<typeof RoomExport>;
