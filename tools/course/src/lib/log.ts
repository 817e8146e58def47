// A container's log as a person reads it: from its first error line on.

const ERROR_LINE = /\b\w*Error\b|\berror:|not found|EACCES|EADDRINUSE|denied|cannot|unable/i;

/** The log line that says most about why a container stopped: its first error, or its last line. */
export function logSummary(lines: string[]): string | undefined {
  const line = lines.find((l) => ERROR_LINE.test(l)) ?? lines.at(-1);
  return line === undefined ? undefined : line.trim().slice(0, 300);
}

/** The log from its first error line on, which is what a person reads first. */
export function logExcerpt(lines: string[], max = 12): string[] {
  const first = lines.findIndex((l) => ERROR_LINE.test(l));
  return first < 0 ? lines.slice(-max) : lines.slice(first, first + max);
}
