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
