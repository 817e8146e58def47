import { formatSize } from "../../lib/format.ts";

// The sizes report as a bar chart (sizes.svg) and a Markdown page (sizes.md) that shows it:
// plain SVG text, no library, readable on a projector.

export type Kind = "base" | "exercise" | "service" | "yours";

export interface SizeRow {
  name: string;
  size: number;
  kind: Kind;
  note?: string;
}

const COLOURS: Record<Kind, string> = {
  base: "#8a94a6",
  exercise: "#2f7fd8",
  service: "#1f9d74",
  yours: "#e08a1e",
};

const KIND_NAMES: Record<Kind, string> = {
  base: "base image",
  exercise: "the sample API",
  service: "course service",
  yours: "your image",
};

export const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

export function sortBySize(rows: SizeRow[]) {
  return [...rows].sort((a, b) => b.size - a.size || a.name.localeCompare(b.name));
}

export function renderSvg(rows: SizeRow[], title: string, notes: string[] = []): string {
  const sorted = sortBySize(rows);
  const rowHeight = 28;
  const labelWidth = 360;
  const barSpace = 440;
  const width = labelWidth + barSpace + 110;
  const top = 56;
  const legendY = top + sorted.length * rowHeight + 18;
  const height = legendY + 30 + notes.length * 18;
  const max = Math.max(1, ...sorted.map((r) => r.size));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" role="img" aria-labelledby="title" font-family="system-ui, sans-serif" font-size="14">`,
    `<title id="title">${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="32" font-size="20" font-weight="bold" fill="#1b1f24">${escapeXml(title)}</text>`,
  ];
  sorted.forEach((row, index) => {
    const y = top + index * rowHeight;
    const barWidth = Math.max(2, Math.round((row.size / max) * barSpace));
    parts.push(
      `<g class="row" data-name="${escapeXml(row.name)}" data-size="${String(row.size)}" data-kind="${row.kind}">`,
      `<text class="label" x="${String(labelWidth - 10)}" y="${String(y + 18)}" text-anchor="end" fill="#1b1f24">${escapeXml(row.name)}</text>`,
      `<rect class="bar" x="${String(labelWidth)}" y="${String(y + 4)}" width="${String(barWidth)}" height="${String(rowHeight - 8)}" rx="3" fill="${COLOURS[row.kind]}"/>`,
      `<text class="value" x="${String(labelWidth + barWidth + 8)}" y="${String(y + 18)}" fill="#1b1f24">${escapeXml(formatSize(row.size))}</text>`,
      `</g>`,
    );
  });
  let x = 16;
  for (const kind of Object.keys(COLOURS) as Kind[]) {
    if (!sorted.some((r) => r.kind === kind)) continue;
    parts.push(
      `<rect x="${String(x)}" y="${String(legendY)}" width="14" height="14" fill="${COLOURS[kind]}"/>`,
      `<text x="${String(x + 20)}" y="${String(legendY + 12)}" fill="#1b1f24">${KIND_NAMES[kind]}</text>`,
    );
    x += 40 + KIND_NAMES[kind].length * 8;
  }
  notes.forEach((note, index) => {
    parts.push(
      `<text class="note" x="16" y="${String(legendY + 40 + index * 18)}" font-size="12" fill="#57606a">${escapeXml(note)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

export function renderTable(rows: SizeRow[]): string {
  const sorted = sortBySize(rows);
  const nameWidth = Math.max(5, ...sorted.map((r) => r.name.length));
  const lines = [`  ${"SIZE".padStart(9)}  ${"IMAGE".padEnd(nameWidth)}  WHAT`];
  for (const row of sorted) {
    const what = KIND_NAMES[row.kind] + (row.note ? `: ${row.note}` : "");
    lines.push(`  ${formatSize(row.size).padStart(9)}  ${row.name.padEnd(nameWidth)}  ${what}`);
  }
  return lines.join("\n");
}

export function renderMarkdown(rows: SizeRow[], title: string, notes: string[]): string {
  const escapeCell = (text: string) => text.replace(/\|/g, "\\|");
  const lines = [
    `# ${title}`,
    "",
    "![Image sizes, as a bar chart](sizes.svg)",
    "",
    "| Image | Size | What |",
    "| ----- | ---: | ---- |",
    ...sortBySize(rows).map(
      (row) =>
        `| \`${escapeCell(row.name)}\` | ${formatSize(row.size)} | ${escapeCell(KIND_NAMES[row.kind] + (row.note ? `: ${row.note}` : ""))} |`,
    ),
    "",
    ...notes.map((note) => `- ${note}`),
    "",
  ];
  return lines.join("\n");
}
