import type { ExportRow } from "./contract.ts";

// The export as CSV, for a spreadsheet. A field a spreadsheet would take for a formula (=, +, -, @,
// tab, carriage return at its start) gets a leading apostrophe: a trainee's name is never run.

const COLUMNS = [
  "receivedAt",
  "at",
  "name",
  "traineeId",
  "kind",
  "exercise",
  "passed",
  "firstFailing",
  "id",
] as const;

function field(value: string | number | boolean | undefined) {
  let text = value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly ExportRow[]) {
  const lines = [COLUMNS.join(",")];
  for (const row of rows) lines.push(COLUMNS.map((column) => field(row[column])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
