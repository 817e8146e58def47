// Commands that work where trainees type them: bash and zsh (Linux, macOS, WSL) and PowerShell 7
// (Windows). Each command line can be pasted as it is (no trailing `# comment`, which PowerShell
// hands to the command as arguments), and a bash command that PowerShell cannot run as written (a
// `\` continuation, curl with a JSON body) has a PowerShell block right after it.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..");

/** The Markdown trainees type commands from: the README, the exercises, the answers, the docs. */
const files = [
  "README.md",
  ...["exercises", "solutions"].flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${dir}/${e.name}/README.md`),
  ),
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
].filter((file) => existsSync(join(root, file)));

const SHELLS = new Set(["sh", "bash", "shell", "zsh", "console", "powershell", "pwsh", "ps1"]);
const POWERSHELL = new Set(["powershell", "pwsh", "ps1"]);

interface Block {
  file: string;
  /** The line of the opening fence, from 1. */
  line: number;
  lang: string;
  lines: string[];
  /** The Markdown between the end of this block and the next one (or the end of the file). */
  after: string;
}

/** Every fenced block of a file, indented ones (inside a list item) included. */
function blocksOf(file: string, text: string): Block[] {
  const fences = [...text.matchAll(/^( *)```([\w-]*)[^\n]*\n([\s\S]*?)^\1```[^\n]*$/gm)];
  return fences.map((m, i) => {
    const end = m.index + m[0].length;
    const next = fences[i + 1]?.index ?? text.length;
    const indent = m[1]?.length ?? 0;
    return {
      file,
      line: text.slice(0, m.index).split("\n").length,
      lang: m[2] ?? "",
      lines: (m[3] ?? "")
        .split("\n")
        .slice(0, -1)
        .map((l) => l.slice(indent)),
      after: text.slice(end, next),
    };
  });
}

/** The command lines of a block: all of them, except in a console block where `$ ` marks them. */
function commandLines(block: Pick<Block, "lang" | "lines">): string[] {
  const lines =
    block.lang === "console"
      ? block.lines.filter((l) => /^(\$|PS>|PS [^>]*>) /.test(l)).map((l) => l.replace(/^\S+ /, ""))
      : block.lines;
  return lines.filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
}

/** A `#` that starts a comment after a command: outside quotes, after a space. */
function trailingComment(line: string): string | undefined {
  const unquoted = line.replace(/'[^']*'|"(?:[^"\\`]|[\\`].)*"/g, (q) => " ".repeat(q.length));
  const at = unquoted.search(/\s#/);
  return at < 0 ? undefined : line.slice(at).trim();
}

/** Why PowerShell cannot run a bash block's commands as written, if it cannot. */
function bashOnly(lines: string[]): string | undefined {
  if (lines.some((l) => /\\$/.test(l))) return "a `\\` line continuation";
  const joined = lines.join(" ");
  if (/\bcurl\b[^\n]*\s(-d|--data(-raw|-binary)?|--json)\s+['"]?[{[]/.test(joined))
    return "curl with a JSON body";
  return undefined;
}

const blocks = files.flatMap((file) => blocksOf(file, readFileSync(join(root, file), "utf8")));

test("the shells' test reads the blocks it is about", () => {
  const shells = blocks.filter((b) => SHELLS.has(b.lang));
  assert.ok(shells.length > 30, `found ${String(shells.length)} shell blocks`);
  assert.ok(
    shells.some((b) => POWERSHELL.has(b.lang)),
    "at least one PowerShell block",
  );
  assert.deepEqual(
    trailingComment("docker image prune # removes dangling images"),
    "# removes dangling images",
  );
  assert.equal(trailingComment(`docker run --rm alpine sh -c 'echo a # b'`), undefined);
  assert.equal(trailingComment(`curl "http://127.0.0.1:8001/#top"`), undefined);
  assert.equal(
    bashOnly([`curl -s -d '{"a":1}' http://127.0.0.1:8001/companies`]),
    "curl with a JSON body",
  );
  assert.equal(bashOnly(["curl -s http://127.0.0.1:8001/companies"]), undefined);
});

test("no command line in a shell block ends in a `# comment`", () => {
  const problems = blocks
    .filter((b) => SHELLS.has(b.lang))
    .flatMap((block) =>
      commandLines(block)
        .filter((line) => trailingComment(line) !== undefined)
        .map((line) => `${block.file}:${String(block.line)}: ${line.trim()}`),
    );
  assert.deepEqual(problems, [], "put the comment on the line above the command");
});

test("every bash command PowerShell cannot run as written has a PowerShell block after it", () => {
  const problems = blocks.flatMap((block, i) => {
    if (!SHELLS.has(block.lang) || POWERSHELL.has(block.lang)) return [];
    const why = bashOnly(commandLines(block));
    if (why === undefined) return [];
    // Next to it: the next block of the file, with prose but no heading in between.
    const next = blocks[i + 1];
    const besideIt =
      next?.file === block.file && POWERSHELL.has(next.lang) && !/^#{1,6} /m.test(block.after);
    return besideIt ? [] : [`${block.file}:${String(block.line)}: ${why}, and no PowerShell block`];
  });
  assert.deepEqual(problems, []);
});

test("every JSON body in a PowerShell block is JSON as PowerShell passes it", () => {
  const bodies = blocks
    .filter((b) => POWERSHELL.has(b.lang))
    .flatMap((block) =>
      commandLines(block).flatMap((line) =>
        // In single quotes PowerShell takes everything literally, except '' for one quote.
        [...line.matchAll(/-Body\s+'((?:[^']|'')*)'/g)].map((m) => ({
          where: `${block.file}:${String(block.line)}`,
          body: (m[1] ?? "").replaceAll("''", "'"),
        })),
      ),
    );
  assert.ok(bodies.length > 0, "found no -Body in a PowerShell block");
  for (const { where, body } of bodies)
    assert.doesNotThrow(() => JSON.parse(body) as unknown, `${where}: ${body}`);
});
