import { docker } from "./docker.ts";
import { errorMessage } from "./errors.ts";
import { killChildren } from "./process.ts";

// Everything a command creates is registered here as it is created, and removed when the command
// ends: after a pass, after a failure and on Ctrl-C.

type Undo = () => Promise<void>;
const pending = new Map<string, Undo>();

/** Registers a way to remove something; returns the function that removes it now. */
export function track(key: string, undo: Undo): () => Promise<void> {
  pending.set(key, undo);
  return async () => {
    if (!pending.delete(key)) return;
    await undo();
  };
}

export function trackContainer(id: string) {
  return track(`container:${id}`, async () => {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      // Already gone (removed with the engine, or by the user) is what we wanted.
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  });
}

/** Removes everything still registered, reporting (not throwing) what could not be removed. */
export async function cleanupAll(): Promise<string[]> {
  const problems: string[] = [];
  const undos = [...pending.entries()].reverse();
  pending.clear();
  for (const [key, undo] of undos) {
    try {
      await undo();
    } catch (error) {
      problems.push(`${key}: ${errorMessage(error)}`);
    }
  }
  return problems;
}

let installed = false;
let interruption: Promise<never> | undefined;

/**
 * After Ctrl-C, the interrupted command may still finish (its container removed under it); its
 * verdict no longer counts. This never settles: the signal handler exits with 130.
 */
export function interrupted(): Promise<never> | undefined {
  return interruption;
}

/** On Ctrl-C (or SIGTERM), stops running docker commands, cleans up and exits with 130. */
export function cleanUpOnInterrupt() {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: removing what the course created…\n`);
    killChildren();
    interruption = cleanupAll().then((problems) => {
      for (const problem of problems) process.stderr.write(`could not remove ${problem}\n`);
      process.exit(130);
    });
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
}
