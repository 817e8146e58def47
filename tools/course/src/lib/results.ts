import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stateDir } from "./paths.ts";

// The trainee's results, one entry per exercise, kept in .course/results.json (ignored by git)
// so that each check can compare the image's size with the earlier exercises. Checks may finish
// at once (three terminals): an update holds a lock file while it reads, changes and writes, and
// writes a file of its own that it renames over the old one, so that no update is lost and no
// reader, nor a check stopped midway, ever sees half a file.

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

/** A lock older than this was left by a check that was killed mid-update: it is taken over. */
const STALE_LOCK_MS = 10_000;

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = `${file()}.lock`;
  for (;;) {
    try {
      await (await open(lock, "wx")).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const since = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(lock, { force: true });
      else await sleep(10 + Math.random() * 40);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

export async function saveResult(result: Result) {
  await mkdir(stateDir(), { recursive: true });
  await withLock(async () => {
    const results = (await readResults()).filter((r) => r.exercise !== result.exercise);
    results.push(result);
    results.sort((a, b) => a.exercise - b.exercise);
    const temporary = `${file()}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify({ exercises: results }, null, 2)}\n`);
      await rename(temporary, file());
    } finally {
      await rm(temporary, { force: true });
    }
  });
}
