import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readRoomState, type Cell, type ExerciseSummary, type Trainee } from "@course/room";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { shown, userCwd } from "../../lib/paths.ts";
import { bold, dim, FAIL, green, PASS, red } from "../../lib/ui.ts";
import { roomDataDir } from "./data.ts";

// `course room status`: the trainer's page in the terminal, read from the room's data folder, so
// it works while the room runs (SQLite lets a reader in beside the writer) and after it stopped.

type State = ReturnType<typeof readRoomState>;

const CELL = 13;

/** 12m, 2h05: how long ago, short enough for a cell. */
export function since(at: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(at)) / 60_000));
  if (minutes < 60) return `${String(minutes)}m`;
  return `${String(Math.floor(minutes / 60))}h${String(minutes % 60).padStart(2, "0")}`;
}

const clock = (at: string) => new Date(at).toTimeString().slice(0, 5);

const fit = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/** One cell as the page shows it: not started, failing (which check, how long), passed (when). */
export function cellText(cell: Cell | undefined, now: number): string {
  if (cell === undefined || cell.status === "not-started") return dim(fit("·", CELL));
  if (cell.status === "passed")
    return green(fit(`${PASS} ${clock(cell.passedAt ?? cell.at ?? "")}`, CELL));
  const how = cell.failingSince ? ` ${since(cell.failingSince, now)}` : "";
  const id = cell.failing?.id ?? "";
  return red(`${FAIL} ${fit(id, CELL - 2 - how.length)}${how}`);
}

function exerciseLine(summary: ExerciseSummary, state: State, now: number): string {
  const title = summary.title ? ` ${summary.title}` : "";
  const parts = [`${String(summary.passed)} passed, ${String(summary.failing)} failing`];
  const common = summary.commonFailure;
  if (common)
    parts.push(
      `most frequent: ${common.title} (${String(common.trainees)})${common.hint ? `: ${common.hint}` : ""}`,
    );
  const stuck = summary.stuckLongest;
  if (stuck) {
    const name = state.trainees.find((t) => t.id === stuck.traineeId)?.name ?? stuck.name;
    parts.push(`stuck longest: ${name} on ${stuck.check} (${since(stuck.since, now)})`);
  }
  return `${bold(`${String(summary.exercise)}.`)}${title}: ${parts.join("; ")}`;
}

function doctorLine(trainee: Trainee): string | undefined {
  const doctor = trainee.doctor;
  const images = trainee.imagesLoaded.map((i) => i.archive);
  const facts = [doctor?.system, doctor?.arch, doctor?.engine && `engine ${doctor.engine}`];
  if (doctor?.images) facts.push(`images: ${doctor.images}`);
  if (images.length) facts.push(`loaded ${images.join(", ")}`);
  const known = facts.filter(Boolean);
  if (!doctor && known.length === 0) return undefined;
  const failing = doctor?.failing.length ? red(` ${FAIL} ${doctor.failing.join(", ")}`) : "";
  return `  ${trainee.name}: ${known.join(", ") || "no doctor report"}${failing}`;
}

export function statusText(state: State, now = Date.now()): string {
  const exercises = state.exercises.map((e) => e.exercise);
  const nameWidth = Math.min(16, Math.max(8, ...state.trainees.map((t) => t.name.length)));
  const cells = new Map(state.cells.map((c) => [`${c.traineeId}/${String(c.exercise)}`, c]));
  const lines = [
    bold(
      `Room ${state.code ?? ""}: ${String(state.trainees.length)} trainee${state.trainees.length === 1 ? "" : "s"}, ${clock(new Date(now).toISOString())}`,
    ),
    "",
  ];
  if (state.trainees.length === 0) lines.push("No one has joined yet.");
  else {
    lines.push(
      dim(`${"".padEnd(nameWidth)}  ${exercises.map((n) => fit(String(n), CELL)).join(" ")}`),
    );
    for (const trainee of state.trainees)
      lines.push(
        `${fit(trainee.name, nameWidth)}  ${exercises.map((n) => cellText(cells.get(`${trainee.id}/${String(n)}`), now)).join(" ")}`,
      );
    lines.push("", bold("Per exercise"));
    for (const summary of state.perExercise)
      if (summary.passed + summary.failing > 0) lines.push(exerciseLine(summary, state, now));
    const doctors = state.trainees.map(doctorLine).filter((line) => line !== undefined);
    if (doctors.length) lines.push("", bold("Machines (course doctor)"), ...doctors);
  }
  return lines.map((line) => line.trimEnd()).join("\n");
}

export function status(options: { data?: string; json: boolean }): number {
  const dataDir = options.data ? resolve(userCwd, options.data) : roomDataDir();
  if (!existsSync(dataDir))
    throw new CouldNotCheck(
      `there is no room data in ${shown(dataDir)}: start the room with \`npx course room start\`, or name its folder with --data.`,
    );
  let state: State;
  try {
    state = readRoomState(dataDir);
  } catch (error) {
    throw new CouldNotCheck(`${shown(dataDir)}: ${errorMessage(error)}`);
  }
  console.log(options.json ? JSON.stringify(state, null, 2) : statusText(state));
  return 0;
}
