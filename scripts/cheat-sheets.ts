// `npm run cheat-sheets`: one printable page per exercise and shell, made from the exercise's
// README: every command of its steps, "check your work" and "clean up", in order, under the step
// it belongs to. The PowerShell page takes the README's PowerShell line where it gives one
// (`(PowerShell: …)` or a ```powershell block after the command), and the same command where the
// shells agree. test/cheat-sheets.test.ts fails when a page differs from what this makes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXERCISES, readmeOf } from "../tools/course/src/catalogue.ts";

const root = join(import.meta.dirname, "..");

export const SHELLS = {
  bash: { title: "bash and zsh (Linux, macOS, WSL)", fence: "sh" },
  powershell: { title: "PowerShell 7 (Windows)", fence: "powershell" },
} as const;
export type Shell = keyof typeof SHELLS;

export const sheetOf = (slug: string, shell: Shell) => `exercises/${slug}/cheat-sheet-${shell}.md`;

/** A command word that starts an inline command worth a line on the page. */
const COMMAND =
  /^(docker|npx|npm|curl|cp|grep|Copy-Item|Get-ChildItem|Invoke-RestMethod|Remove-Item) /;

/** What comes before an inline command that the reader is asked to type, not one named in passing. */
const TO_TYPE = /(:|\?|\(|\b[Rr]un|\bwith)\s*$/;

interface Command {
  bash: string;
  powershell?: string;
}
interface Step {
  title: string;
  commands: Command[];
}

/** A `## Title` section of the README, up to the next one. */
function section(text: string, title: string): string {
  const start = text.search(new RegExp(`^## ${title}\\s*$`, "m"));
  if (start < 0) return "";
  const rest = text.slice(start).split("\n").slice(1).join("\n");
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The commands of a piece of Markdown, fenced and inline, each with its PowerShell line. */
function commandsOf(markdown: string): Command[] {
  const commands: Command[] = [];
  const token = /^( *)```(\w*)\n([\s\S]*?)^\1```|PowerShell:\s*`([^`]+)`|`([^`\n]+)`/gm;
  for (const m of markdown.matchAll(token)) {
    const [, indent = "", lang, body, inlinePowerShell, inline] = m;
    if (body !== undefined) {
      const lines = body
        .split("\n")
        .map((line) => line.slice(indent.length))
        .filter((line) => line.trim());
      if (lang === "powershell") {
        const last = commands.at(-1);
        if (last && last.powershell === undefined) last.powershell = lines.join("\n");
      } else if (lang === "sh" || lang === "bash") commands.push({ bash: lines.join("\n") });
    } else if (inlinePowerShell !== undefined) {
      const last = commands.at(-1);
      if (last) last.powershell = inlinePowerShell;
    } else if (
      inline !== undefined &&
      COMMAND.test(inline) &&
      !inline.includes("…") &&
      TO_TYPE.test(markdown.slice(Math.max(0, m.index - 12), m.index))
    ) {
      if (!commands.some((c) => c.bash === inline)) commands.push({ bash: inline });
    }
  }
  return commands;
}

/** The steps of the README's "Steps": each top-level numbered item with its commands. */
function stepsOf(text: string): Step[] {
  const items = section(text, "Steps")
    .split(/^(?=\d+\. )/m)
    .slice(1);
  return items
    .map((item) => {
      const number = /^(\d+)\./.exec(item)?.[1] ?? "";
      const first = item
        .replace(/^\d+\.\s*/, "")
        .replace(/\s+/g, " ")
        .replace(/\s*\([^)]*\)/g, "");
      const sentence = /^(.*?[.:?])(\s|$)/.exec(first)?.[1] ?? first;
      return { title: `${number}. ${sentence.replace(/:$/, "")}`, commands: commandsOf(item) };
    })
    .filter((step) => step.commands.length > 0);
}

/** A bash line as PowerShell types it, where the README gives no PowerShell line of its own. */
const asPowerShell = (bash: string) => bash.replace(/ \\$/gm, " `");

export function cheatSheet(slug: string, title: string, readme: string, shell: Shell): string {
  const steps = [
    ...stepsOf(readme),
    { title: "Check your work", commands: commandsOf(section(readme, "Check your work")) },
    { title: "Clean up", commands: commandsOf(section(readme, "Clean up")) },
  ].filter((step) => step.commands.length > 0);
  const { fence } = SHELLS[shell];
  const other: Shell = shell === "bash" ? "powershell" : "bash";
  const lines = [
    `# Exercise ${slug.slice(0, 2).replace(/^0/, "")} cheat sheet: ${title}`,
    "",
    `${SHELLS[shell].title}, from the repository root. Made from [the exercise](README.md) by`,
    `\`npm run cheat-sheets\`; for ${SHELLS[other].title}: [cheat-sheet-${other}.md](cheat-sheet-${other}.md).`,
  ];
  for (const step of steps) {
    lines.push("", `**${step.title}**`, "", `\`\`\`${fence}`);
    for (const command of step.commands)
      lines.push(
        shell === "bash" ? command.bash : (command.powershell ?? asPowerShell(command.bash)),
      );
    lines.push("```");
  }
  return `${lines.join("\n")}\n`;
}

/** Every page this makes, by repository path. */
export function cheatSheets(): Map<string, string> {
  const pages = new Map<string, string>();
  for (const exercise of EXERCISES) {
    const readme = readFileSync(join(root, readmeOf(exercise)), "utf8");
    const title = /^# Exercise \d+: (.*)$/m.exec(readme)?.[1] ?? exercise.title;
    for (const shell of Object.keys(SHELLS) as Shell[])
      pages.set(sheetOf(exercise.slug, shell), cheatSheet(exercise.slug, title, readme, shell));
  }
  return pages;
}

if (import.meta.main) {
  for (const [path, text] of cheatSheets()) {
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path}`);
  }
}
