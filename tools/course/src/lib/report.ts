import type { Advice, Check, LogExcerpt, ReportImage } from "./contract.ts";
import { formatSize } from "./format.ts";
import { bold, dim, FAIL, green, PASS, red, SKIP, wrap } from "./ui.ts";

// One report per check: printed for a person, or as JSON for a machine (`--json`, whose shape
// tools/course/README.md documents: programs, such as a trainer's server, read it).

export interface Report {
  exercise: number;
  /** The exercise's title, from the catalogue. */
  title: string;
  passed: boolean;
  checks: Check[];
  /** Worth knowing, never a cause of failure: shown under the checks, never changes `passed`. */
  advice: Advice[];
  image: ReportImage;
  /** The build's or the container's last lines, when something about running it failed. */
  log?: LogExcerpt;
}

export function toJson(report: Report): string {
  return JSON.stringify(
    {
      exercise: report.exercise,
      title: report.title,
      passed: report.passed,
      checks: report.checks.map(({ id, title, passed, found, expected, hint, notChecked }) => ({
        id,
        title,
        passed,
        found,
        expected,
        ...(passed ? {} : { hint }),
        ...(notChecked ? { notChecked } : {}),
      })),
      advice: report.advice.map(({ id, found, hint }) => ({ id, found, hint })),
      image: report.image,
      ...(report.log ? { log: report.log.lines } : {}),
    },
    null,
    2,
  );
}

export function toText(report: Report, command: string): string {
  const width = Math.max(60, Math.min(process.stdout.columns || 100, 110));
  const idWidth = Math.max(...report.checks.map((c) => c.id.length), 10);
  const pad = " ".repeat(idWidth + 6);
  const lines = ["", bold(`Exercise ${String(report.exercise)}: ${report.title}`)];
  for (const check of report.checks) {
    const mark = check.passed ? green(PASS) : red(FAIL);
    const id = check.id.padEnd(idWidth);
    if (check.passed) {
      lines.push(`  ${mark} ${id}  ${wrap(check.found, width - pad.length, pad)}`);
      continue;
    }
    if (check.notChecked) {
      lines.push(
        dim(`  ${SKIP} ${id}  ${wrap(`${check.found}: ${check.hint}`, width - pad.length, pad)}`),
      );
      continue;
    }
    lines.push(`  ${mark} ${bold(id)}  ${check.title}`);
    const field = (name: string, text: string) =>
      `${pad}${dim(name.padEnd(10))}${wrap(text, width - pad.length - 10, `${pad}${" ".repeat(10)}`)}`;
    lines.push(field("found", check.found));
    lines.push(field("expected", check.expected));
    if (check.hint) lines.push(field("hint", check.hint));
  }
  if (report.advice.length) {
    lines.push("", bold("  Advice (does not change the result)"));
    for (const advice of report.advice) {
      lines.push(
        `  ${dim("•")} ${advice.id.padEnd(idWidth)}  ${wrap(advice.found, width - pad.length, pad)}`,
      );
      lines.push(`${pad}${wrap(advice.hint, width - pad.length, pad)}`);
    }
  }
  const { image } = report;
  if (image.tag !== undefined) {
    const facts = [
      image.platform,
      image.size === undefined ? undefined : formatSize(image.size),
      image.user === undefined ? undefined : `runs as ${image.user}`,
    ].filter(Boolean);
    lines.push("", dim(`  Image ${image.tag}${facts.length ? `: ${facts.join(", ")}` : ""}`));
  }
  if (report.log?.lines.length) {
    lines.push("", dim(`  ${report.log.title}, last lines:`));
    for (const line of report.log.lines.slice(-12))
      lines.push(dim(`    ${line.slice(0, width - 4)}`));
  }
  const passing = report.checks.filter((c) => c.passed).length;
  const waiting = report.checks.filter((c) => c.notChecked).length;
  lines.push(
    "",
    report.passed
      ? green(bold(`PASS: all ${String(report.checks.length)} checks pass.`))
      : red(
          bold(
            `FAIL: ${String(passing)} of ${String(report.checks.length)} checks pass${waiting ? ` (${String(waiting)} not checked yet)` : ""}. Fix the ${FAIL} lines and run \`${command}\` again.`,
          ),
        ),
    "",
  );
  return lines.join("\n");
}
