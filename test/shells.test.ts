// Commands that work where trainees type them: bash and zsh (Linux, macOS, WSL) and PowerShell 7
// (Windows). Every block is checked by the shells' own parsers (`bash -n`, `zsh -n`, the PowerShell
// grammar for tree-sitter), and for what each shell does differently at run time. Each command line can be pasted as it is (no trailing `# comment`, which PowerShell
// hands to the command as arguments), and a bash command that PowerShell cannot run as written (a
// `\` continuation, curl with a JSON body) has a PowerShell block right after it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { Language, Parser } from "web-tree-sitter";

const root = join(import.meta.dirname, "..");

/** The Markdown trainees type commands from: the README, the exercises, the answers, the docs. */
const files = [
  "README.md",
  ...["exercises", "solutions"].flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${dir}/${e.name}/README.md`),
  ),
  ...readdirSync(join(root, "exercises")).map((e) => `exercises/${e}/cheat-sheet-powershell.md`),
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
].filter((file) => existsSync(join(root, file)));

const SHELLS = new Set(["sh", "bash", "shell", "zsh", "console", "powershell", "pwsh", "ps1"]);
const POWERSHELL = new Set(["powershell", "pwsh", "ps1"]);
/** A ```bash block is for bash on Linux or in WSL only: it owes no PowerShell line and no zsh. */
const BASH_ONLY_BLOCK = "bash";
/** The blocks typed in bash and in zsh (macOS), and in PowerShell unless they say otherwise. */
const isPosix = (b: Block) => SHELLS.has(b.lang) && !POWERSHELL.has(b.lang);
const isShared = (b: Block) => isPosix(b) && b.lang !== BASH_ONLY_BLOCK;

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

/** The line with every quoted string blanked out (same length), so that only its bare words are left. */
const unquoted = (line: string) =>
  line.replace(/'[^']*'|"(?:[^"\\`]|[\\`].)*"/g, (q) => " ".repeat(q.length));

/** A `#` that starts a comment after a command: outside quotes, after a space. */
function trailingComment(line: string): string | undefined {
  const at = unquoted(line).search(/\s#/);
  return at < 0 ? undefined : line.slice(at).trim();
}

/** Where a command starts: the line's start, or after `|`, `;`, `&&` or `||`. */
const START = String.raw`(?:^|[|;&]\s*)`;

/** What bash and zsh have and PowerShell does not, each with its name; matched on bare words. */
const BASH_ONLY: [string, RegExp][] = [
  ["`export`", new RegExp(`${START}export\\s`)],
  [
    "a variable set for one command (`NAME=value command`)",
    new RegExp(`${START}[A-Za-z_]\\w*=\\S*\\s+\\S`),
  ],
  ["/dev/null", /\/dev\/null/],
  ["a here-document", /<</],
  ["a command substitution other than `$(pwd)`", /\$\((?!pwd\))/],
  [
    "a Unix tool that Windows does not have",
    new RegExp(
      `${START}(?:grep|sed|awk|xargs|jq|chmod|chown|id|which|sudo|source|find|head|tail|wc|tr|cut|tee)\\b`,
    ),
  ],
  [
    "a Unix option PowerShell's own `rm`, `cp` or `ls` refuses",
    new RegExp(`${START}(?:rm|cp|ls)\\s+-\\w`),
  ],
];

/** Why PowerShell cannot run a bash block's commands as written, if it cannot. */
function bashOnly(lines: string[]): string | undefined {
  if (lines.some((l) => /\\$/.test(l))) return "a `\\` line continuation";
  const joined = lines.join(" ");
  if (/\bcurl\b[^\n]*\s(-d|--data(-raw|-binary)?|--json)\s+['"]?[{[]/.test(joined))
    return "curl with a JSON body";
  for (const line of lines) {
    const found = BASH_ONLY.find(([, pattern]) => pattern.test(unquoted(line)));
    if (found) return found[0];
  }
  return undefined;
}

/** A bare word with `?`, `*` or `[`: zsh (the macOS shell) stops with "no matches found". */
function zshGlob(line: string): string | undefined {
  return unquoted(line)
    .split(/\s+/)
    .find((word) => /[?*[]/.test(word) && !/^\[{1,2}$|^\]{1,2}$/.test(word));
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
  assert.equal(bashOnly(["export BUILD_IMAGE=x"]), "`export`");
  assert.match(bashOnly(["LOG_LEVEL=warn npm run dev"]) ?? "", /one command/);
  assert.match(bashOnly(["docker ps | grep company"]) ?? "", /Unix tool/);
  assert.match(bashOnly(["rm -rf dist"]) ?? "", /Unix option/);
  assert.equal(bashOnly(["docker run --rm api sh -c 'ls /app | wc -l'"]), undefined);
  assert.equal(bashOnly(["docker run -e LOG_LEVEL=warn -v $(pwd):/app api"]), undefined);
  assert.match(bashOnly(["docker run -u $(id -u) api"]) ?? "", /command substitution/);
  assert.equal(
    zshGlob("curl -s http://127.0.0.1:8001/companies?limit=1"),
    "http://127.0.0.1:8001/companies?limit=1",
  );
  assert.equal(zshGlob(`curl -s "http://127.0.0.1:8001/companies?limit=1"`), undefined);
});

test("no comment line in a block typed in zsh, where a pasted `# …` line runs as a command", () => {
  // Interactive zsh treats # as a comment only with `setopt interactivecomments`, which macOS
  // leaves off. Say it in the prose above the block instead.
  const problems = blocks
    .filter(isShared)
    .flatMap((block) =>
      block.lines
        .filter((l) => (block.lang === "console" ? /^\$ #/ : /^\s*#/).test(l))
        .map((l) => `${block.file}:${String(block.line)}: ${l.trim()}`),
    );
  assert.deepEqual(problems, []);
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
    if (!isShared(block)) return [];
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

test("no bare word in a bash or zsh block that zsh would expand as a pattern", () => {
  const problems = blocks.filter(isShared).flatMap((block) =>
    commandLines(block).flatMap((line) => {
      const word = zshGlob(line);
      return word === undefined ? [] : [`${block.file}:${String(block.line)}: ${word}`];
    }),
  );
  assert.deepEqual(problems, [], "quote it: zsh says `no matches found` for a bare ?, * or [");
});

/** The syntax errors a shell finds in a block's commands without running them (`-n`). */
function shellSyntax(shell: string, block: Block): string | undefined {
  const run = spawnSync(shell, ["-n"], { input: commandLines(block).join("\n"), encoding: "utf8" });
  return run.status === 0 ? undefined : run.stderr.trim() || `exit ${String(run.status)}`;
}

/** Whether `shell` is installed; without it the test skips with the reason, or fails in CI. */
function hasShell(t: TestContext, shell: string): boolean {
  if (spawnSync(shell, ["-c", "true"]).status === 0) return true;
  if (process.env.COURSE_REQUIRE_DOCKER === "1") assert.fail(`no ${shell} on this machine`);
  t.skip(`no ${shell} on this machine`);
  return false;
}

for (const shell of ["bash", "zsh"]) {
  test(`every bash block's commands are valid ${shell} syntax`, (t) => {
    if (!hasShell(t, shell)) return;
    const problems = blocks
      .filter((b) => (shell === "zsh" ? isShared(b) : isPosix(b)))
      .flatMap((block) => {
        const error = shellSyntax(shell, block);
        return error === undefined ? [] : [`${block.file}:${String(block.line)}: ${error}`];
      });
    assert.deepEqual(problems, []);
  });
}

/** A PowerShell parser: the tree-sitter grammar for PowerShell, run as WebAssembly. */
async function powershellParser(): Promise<Parser> {
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve(
    "tree-sitter-powershell/tree-sitter-powershell.wasm",
  );
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  return parser;
}

/** The first piece of `text` the PowerShell grammar cannot parse, if there is one. */
function powershellError(parser: Parser, text: string): string | undefined {
  // The grammar does not know `--`, PowerShell's end of parameters (`npm test -- services/x`).
  const tree = parser.parse(text.replace(/(^|\s)--(?=\s|$)/gm, "$1__"));
  if (!tree?.rootNode.hasError) return undefined;
  const bad = tree.rootNode.descendantsOfType("ERROR")[0] ?? tree.rootNode;
  const missing = tree.rootNode.descendantsOfType("MISSING")[0];
  const node = missing ?? bad;
  return `line ${String(node.startPosition.row + 1)}: ${node.text.slice(0, 80) || node.type}`;
}

test("every PowerShell block, and every bash block meant for both shells, is valid PowerShell", async () => {
  const parser = await powershellParser();
  // The parser is the one that says no: an unclosed string and an unclosed block are errors.
  assert.equal(
    powershellError(parser, `Invoke-RestMethod -Uri http://127.0.0.1:8001/companies`),
    undefined,
  );
  assert.notEqual(
    powershellError(parser, `Invoke-RestMethod -Uri "http://127.0.0.1:8001`),
    undefined,
  );
  assert.notEqual(powershellError(parser, `if ($ready) { docker compose ps`), undefined);
  // A bare comma makes an array: docker would get `--secret id=ca src=ca.pem`. (The grammar also
  // refuses a list of bare words for a cmdlet, `Remove-Item a, b`, which PowerShell takes: quote
  // each item, as a native command's arguments must be.)
  assert.notEqual(powershellError(parser, `docker build --secret id=ca,src=ca.pem .`), undefined);
  assert.equal(powershellError(parser, `docker build --secret "id=ca,src=ca.pem" .`), undefined);
  assert.equal(powershellError(parser, `npm test -- services/employee`), undefined);
  const both = blocks.filter(
    (b) => POWERSHELL.has(b.lang) || (isShared(b) && bashOnly(commandLines(b)) === undefined),
  );
  assert.ok(both.length > 20, `found ${String(both.length)} blocks`);
  const problems = both.flatMap((block) => {
    const error = powershellError(parser, commandLines(block).join("\n"));
    return error === undefined ? [] : [`${block.file}:${String(block.line)}: ${error}`];
  });
  assert.deepEqual(problems, []);
});

/** The commands written inline in sentences (`docker …`, `npm …`), outside fenced blocks. */
function inlineCommands(file: string, text: string): { where: string; command: string }[] {
  const prose = text.replace(/^( *)```[\s\S]*?^\1```[^\n]*$/gm, (block) =>
    block.replace(/[^\n]/g, " "),
  );
  return [...prose.matchAll(/`((?:docker|npm|npx|curl|node|git|kubectl) [^`\n]+)`/g)].map((m) => ({
    where: `${file}:${String(prose.slice(0, m.index).split("\n").length)}`,
    command: m[1] ?? "",
  }));
}

test("commands written inline have no bare comma (PowerShell) and no bare ?, * or [ (zsh)", () => {
  const inline = files.flatMap((file) =>
    inlineCommands(file, readFileSync(join(root, file), "utf8")),
  );
  assert.ok(inline.length > 50, `found ${String(inline.length)} inline commands`);
  const problems = inline.flatMap(({ where, command }) => {
    const bare = unquoted(command);
    if (/,/.test(bare))
      return [`${where}: ${command}: a bare comma (PowerShell makes it an array)`];
    // A synopsis such as `npx course sizes [--offline]` shows an option; it is not typed as it is.
    const word = / \[-/.test(command) ? undefined : zshGlob(command);
    return word === undefined ? [] : [`${where}: ${command}: ${word} (zsh: no matches found)`];
  });
  assert.deepEqual(problems, [], "quote the word");
});
