import { join, relative, resolve } from "node:path";

// Where things are: the repository, the folder the user typed the command in, and the course's
// own state (.course/, ignored by git).

export const repoRoot = resolve(import.meta.dirname, "../../../..");

/** The directory the user typed the command in (npm run changes to the repository root). */
export const userCwd = process.env.INIT_CWD ?? process.cwd();

export const stateDir = () => process.env.COURSE_STATE_DIR ?? join(repoRoot, ".course");

/** A path as the user would type it, relative to where they are. */
export const shown = (path: string) => relative(userCwd, path) || ".";

/** A path of the repository (given with forward slashes), absolute. */
export const inRepo = (path: string) => resolve(repoRoot, path);
