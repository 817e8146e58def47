// Numbers as people read them in the course's output.

export const MB = 1_000_000;

/** Sizes as `docker images` prints them: decimal megabytes. */
export function formatSize(bytes: number): string {
  if (bytes >= 1000 * MB) return `${(bytes / (1000 * MB)).toFixed(2)} GB`;
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
}

export function progressBar(done: number, total: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatSize(done)} of ${formatSize(total)}`;
}

/** A short list for a one-line message: the first few items and how many more. */
export const list = (items: string[], max = 3) =>
  items.length <= max
    ? items.join(", ")
    : `${items.slice(0, max).join(", ")} and ${String(items.length - max)} more`;
