// Colour for terminals that want it (not when piped, not with NO_COLOR), and plain symbols.

const enabled = () =>
  process.stdout.isTTY && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb";

const paint = (code: number) => (text: string) =>
  enabled() ? `\x1b[${String(code)}m${text}\x1b[0m` : text;

export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

export const PASS = "✔";
export const FAIL = "✖";
export const SKIP = "–";

/** Wraps text to a width, indenting continuation lines. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}
