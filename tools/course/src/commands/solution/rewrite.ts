import { posix } from "node:path";
import type { Copy } from "./answers.ts";

// A reference answer's text, made right for the place it is copied to: relative paths
// (`../../scripts/bundle.mjs`, an import of another service) still reach what they reached, paths
// from the repository root that name the answer's folder name the trainee's, and a package name
// that would clash with the answer's own workspace is renamed. Pure, so that a test can read it.

/** `./x` or `../x`, not inside a longer path or a word. */
const RELATIVE = /(?<![\w@./-])\.{1,2}\/[\w@./-]*[\w@-]\/?|(?<![\w@./-])\.\.(?=[\s"',\]}]|$)/gm;

/** A repository path mapped through the copies: where it is once they are made. */
function moved(path: string, copies: Copy[]): string {
  for (const { from, to } of copies) {
    if (path === from) return to;
    if (path.startsWith(`${from}/`)) return to + path.slice(from.length);
  }
  return path;
}

export interface Place {
  /** The file's repository path in the answer. */
  from: string;
  /** Its repository path once copied. */
  to: string;
}

export function rewrite(
  text: string,
  place: Place,
  copies: Copy[],
  renames: [string, string][] = [],
): string {
  let out = text;
  // A Dockerfile's paths are relative to its build context, not to the file: only the
  // repository paths below apply to it.
  if (!/(^|\/)Dockerfile$/.test(place.from)) {
    const here = posix.dirname(place.from);
    const there = posix.dirname(place.to);
    out = out.replace(RELATIVE, (token) => {
      const trailing = token.endsWith("/") && token.length > 3 ? "/" : "";
      const target = moved(posix.normalize(posix.join(here, token)), copies);
      let path = posix.relative(there, target) || ".";
      if (!path.startsWith(".")) path = `./${path}`;
      return path + trailing;
    });
  }
  for (const { from, to } of copies) out = out.replaceAll(from, to);
  for (const [name, replacement] of renames) out = out.replaceAll(name, replacement);
  return out;
}
