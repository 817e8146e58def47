import {
  ROOM_EXERCISES,
  type Cell,
  type CheckReport,
  type DoctorReport,
  type DoctorSummary,
  type ExerciseSummary,
  type Trainee,
} from "./contract.ts";

// What the trainer's page shows, worked out from the reports: pure functions over plain data, so
// that the room replays its database through them at start and applies each new report the same way.

/** The first check that failed for a reason of its own (a check not run because an earlier one failed is skipped). */
export function firstFailing(report: CheckReport) {
  const failed = report.checks.filter((check) => !check.passed);
  const first = failed.find((check) => check.notChecked !== true) ?? failed[0];
  if (first === undefined) return undefined;
  return {
    id: first.id,
    title: first.title,
    ...(first.hint === undefined ? {} : { hint: first.hint }),
  };
}

export const emptyCell = (traineeId: string, exercise: number): Cell => ({
  traineeId,
  exercise,
  status: "not-started",
  runs: 0,
});

/**
 * The cell after one more check report. A report older than the one the cell shows (a queued
 * report that arrived late) counts as a run but does not change what the cell shows.
 */
export function nextCell(cell: Cell, report: CheckReport, at: string): Cell {
  const runs = cell.runs + 1;
  if (cell.at !== undefined && at < cell.at) return { ...cell, runs };
  const failing = firstFailing(report);
  if (report.passed || failing === undefined) {
    const passedAt = cell.status === "passed" && cell.passedAt !== undefined ? cell.passedAt : at;
    return {
      traineeId: cell.traineeId,
      exercise: cell.exercise,
      status: "passed",
      at,
      passedAt,
      runs,
    };
  }
  const sameCheck = cell.status === "failing" && cell.failing?.id === failing.id;
  return {
    traineeId: cell.traineeId,
    exercise: cell.exercise,
    status: "failing",
    at,
    failing,
    failingSince: sameCheck && cell.failingSince !== undefined ? cell.failingSince : at,
    runs,
  };
}

/** The doctor's findings in four words for the page: system, architecture, engine, images. */
export function doctorSummary(report: DoctorReport, at: string): DoctorSummary {
  const finding = (id: string) => report.findings.find((f) => f.id === id);
  const engine = finding("engine");
  const arch = finding("arch");
  const images = finding("images");
  const machine = report.machine;
  const system =
    machine === undefined
      ? undefined
      : `${machine.platform}${machine.release === undefined ? "" : ` ${machine.release}`}`;
  return {
    at,
    ok: report.ok,
    ...(system === undefined ? {} : { system }),
    ...(machine?.arch !== undefined
      ? { arch: machine.arch }
      : arch === undefined
        ? {}
        : { arch: arch.detail.split(" ")[0] ?? arch.detail }),
    // "28.5.0 (API 1.51), linux/amd64, at unix:///var/run/docker.sock": the address says nothing useful.
    ...(engine === undefined ? {} : { engine: engine.detail.replace(/, at .*$/, "") }),
    // "all 7 present: …" or "3 of 7 present; missing: …": the count is what the page has room for.
    ...(images === undefined ? {} : { images: images.detail.split(/[:;]/)[0] ?? images.detail }),
    failing: report.findings.filter((f) => f.status === "fail").map((f) => f.title),
  };
}

/** Per exercise: how many passed, the most frequent first failing check, who is stuck longest. */
export function exerciseSummary(
  exercise: number,
  cells: readonly Cell[],
  trainees: ReadonlyMap<string, Trainee>,
  title?: string,
): ExerciseSummary {
  const mine = cells.filter((cell) => cell.exercise === exercise);
  const failing = mine.filter((cell) => cell.status === "failing");
  const byCheck = new Map<string, { id: string; title: string; hint?: string; trainees: number }>();
  for (const cell of failing) {
    if (cell.failing === undefined) continue;
    const seen = byCheck.get(cell.failing.id);
    byCheck.set(cell.failing.id, {
      ...cell.failing,
      ...(cell.failing.hint === undefined && seen?.hint !== undefined ? { hint: seen.hint } : {}),
      trainees: (seen?.trainees ?? 0) + 1,
    });
  }
  const commonFailure = [...byCheck.values()].sort((a, b) => b.trainees - a.trainees)[0];
  const stuck = failing
    .filter((cell) => cell.failingSince !== undefined)
    .sort((a, b) => (a.failingSince ?? "").localeCompare(b.failingSince ?? ""))[0];
  const stuckName = stuck === undefined ? undefined : trainees.get(stuck.traineeId)?.name;
  return {
    exercise,
    ...(title === undefined ? {} : { title }),
    passed: mine.filter((cell) => cell.status === "passed").length,
    failing: failing.length,
    ...(commonFailure === undefined ? {} : { commonFailure }),
    ...(stuck?.failing === undefined || stuck.failingSince === undefined || stuckName === undefined
      ? {}
      : {
          stuckLongest: {
            traineeId: stuck.traineeId,
            name: stuckName,
            check: stuck.failing.title,
            since: stuck.failingSince,
          },
        }),
  };
}

export const isRoomExercise = (n: number) => (ROOM_EXERCISES as readonly number[]).includes(n);
