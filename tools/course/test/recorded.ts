import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FactsInput } from "../src/facts/image-types.ts";
import { fromRecording, type Recording } from "../src/facts/recording.ts";

// The recorded facts of the reference solutions' Alpine images (fixtures/recorded), read back as
// `course check` would have read them.

export const recorded = (name: string): FactsInput =>
  fromRecording(
    JSON.parse(
      readFileSync(join(import.meta.dirname, "fixtures/recorded", `${name}.json`), "utf8"),
    ) as Recording,
  );

/** A build that passed: the recorded facts are read from the image it built. */
export const BUILT = { ok: true, seconds: 1, error: "", hint: "" };

/** The recordings of the reference answers, with the exercise each answers. */
export const REFERENCES = [
  ["01-alpine-by-hand", 1],
  ["02-node-alpine", 2],
  ["03-multi-stage", 3],
  ["04-non-root", 4],
] as const;
