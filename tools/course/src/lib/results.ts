import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stateDir } from "./paths.ts";

// The trainee's results, one entry per exercise, kept in .course/results.json (ignored by git)
// so that each check can compare the image's size with the earlier exercises.

/** An earlier exercise's image, to compare sizes with. */
export interface PreviousResult {
  exercise: number;
  size: number;
  tag: string;
}

export interface Result extends PreviousResult {
  id: string;
  passed: boolean;
  checkedAt: string;
}

const file = () => join(stateDir(), "results.json");

export async function readResults(): Promise<Result[]> {
  try {
    const parsed = JSON.parse(await readFile(file(), "utf8")) as { exercises?: Result[] };
    return Array.isArray(parsed.exercises) ? parsed.exercises : [];
  } catch {
    return [];
  }
}

export async function saveResult(result: Result) {
  const results = (await readResults()).filter((r) => r.exercise !== result.exercise);
  results.push(result);
  results.sort((a, b) => a.exercise - b.exercise);
  await mkdir(stateDir(), { recursive: true });
  await writeFile(file(), `${JSON.stringify({ exercises: results }, null, 2)}\n`);
}
