import type { EntryType, Entry } from "./filesystem.ts";
import type { FactsInput } from "./image-types.ts";

// What `course check --save-facts <file>` writes, and how tests read it back: the facts as read,
// with the image's filesystem as a listing.

/** FactsInput as JSON: the filesystem as a listing of [path, type, octal mode, uid, gid, target?]. */
export interface Recording extends Omit<FactsInput, "fs"> {
  note?: string;
  fs: { entries: (string | number)[][]; contents: Record<string, string> };
}

export function toRecording(input: FactsInput): Recording {
  return {
    ...input,
    fs: {
      entries: [...input.fs.entries].map(([path, e]) => [
        path,
        e.type,
        e.mode.toString(8),
        e.uid,
        e.gid,
        ...(e.target === undefined ? [] : [e.target]),
      ]),
      contents: Object.fromEntries(input.fs.contents),
    },
  };
}

export function fromRecording(recording: Recording): FactsInput {
  const entries = new Map<string, Entry>();
  for (const [path, type, mode, uid, gid, target] of recording.fs.entries) {
    entries.set(String(path), {
      type: type as EntryType,
      mode: parseInt(String(mode), 8),
      uid: Number(uid),
      gid: Number(gid),
      ...(target === undefined ? {} : { target: String(target) }),
    });
  }
  const { exercise, image, stages, run, previous } = recording;
  return {
    exercise,
    image,
    ...(stages ? { stages } : {}),
    fs: { entries, contents: new Map(Object.entries(recording.fs.contents)) },
    run,
    previous,
  };
}
