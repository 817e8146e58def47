import { docker } from "./docker.ts";
import { errorMessage } from "./errors.ts";
import { stopChildren } from "./process.ts";

// Everything a command creates is registered here as it is created, and removed when the command
// ends: after a pass, after a failure, on Ctrl-C and when the terminal closes. A removal that
// fails is reported when the command ends, never silently dropped.

type Undo = () => Promise<void>;
const pending = new Map<string, Undo>();
/** Removals that failed on the way (the command carried on): reported by cleanupAll. */
const failed: string[] = [];

/**
 * Registers a way to remove something; returns the function that removes it now. That function
 * does not throw: a failure is kept for cleanupAll to report.
 */
export function track(key: string, undo: Undo): () => Promise<void> {
  pending.set(key, undo);
  return async () => {
    if (!pending.delete(key)) return;
    try {
      await undo();
    } catch (error) {
      failed.push(`${key}: ${errorMessage(error)}`);
    }
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

/**
 * Removes everything still registered; returns (not throws) what could not be removed, here or
 * earlier.
 */
export async function cleanupAll(): Promise<string[]> {
  const problems = failed.splice(0);
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

/** The signals that end a command early: Ctrl-C, `kill`, and a terminal closed under it. */
export const INTERRUPTS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Writes to stderr, which a closed terminal (SIGHUP) may no longer have: then says nothing. */
function say(text: string) {
  try {
    process.stderr.write(text);
  } catch {
    // nowhere to say it
  }
}

/**
 * On an interrupt, stops the running docker commands and waits for them to exit (what they made
 * is there only then), cleans up, and exits with 130.
 */
export function cleanUpOnInterrupt() {
  if (installed) return;
  installed = true;
  // A closed terminal fails writes asynchronously: that must not end the clean-up.
  process.stderr.on("error", () => undefined);
  const handler = (signal: NodeJS.Signals) => {
    say(`\n${signal}: removing what the course created…\n`);
    interruption = stopChildren()
      .then(cleanupAll)
      .then((problems) => {
        for (const problem of problems) say(`could not remove ${problem}\n`);
        process.exit(130);
      });
  };
  for (const signal of INTERRUPTS) process.once(signal, handler);
}
