import { randomBytes } from "node:crypto";
import { CouldNotCheck } from "./errors.ts";

// What `course check` was asked to do, whatever the kind of exercise.

export interface CheckOptions {
  file?: string;
  context?: string;
  json: boolean;
  /** Seconds the app may take to answer (image exercises) or the stack to be healthy (compose). */
  timeout: number;
  /** The image tag (image exercises) or compose project name: by default one of this run's own. */
  tag?: string;
  saveFacts?: string;
  /** Send the report to the joined room too (not with --no-room or COURSE_ROOM=off). */
  room?: boolean;
  /** Build and run for this platform (`linux/arm64`) instead of the engine's own (not a stack). */
  platform?: string;
}

/** A name part of this run's own, so that checks started at once never share an image or project. */
export const runId = () => `${String(process.pid)}-${randomBytes(3).toString("hex")}`;

/**
 * --context and --save-facts are for the image exercises: a compose or stack check refuses them;
 * --platform is for the image and compose exercises (compose builds and runs every service for it).
 */
export function refuseImageOptions(
  exercise: { number: number; kind: string },
  options: CheckOptions,
) {
  if (options.context || options.saveFacts)
    throw new CouldNotCheck(
      `exercise ${String(exercise.number)} checks a ${exercise.kind} file: --context and --save-facts are for the image exercises.`,
    );
  if (options.platform && exercise.kind === "stack")
    throw new CouldNotCheck(
      `exercise ${String(exercise.number)} checks a ${exercise.kind} file: --platform is for the image and compose exercises (a swarm runs each task on a node of the image's platform).`,
    );
}
