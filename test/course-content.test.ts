// The course's own content: each solution Dockerfile teaches its exercise's lesson, every exercise
// README has the same sections, and no relative link in the Markdown points at a missing file.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { EXERCISES, readmeOf } from "@course/cli";
import { DockerfileParser, JSONInstruction, ModifiableInstruction } from "dockerfile-ast";

const root = join(import.meta.dirname, "..");

interface Step {
  keyword: string;
  args: string[];
  flags: Map<string, string | null>;
  exec: boolean;
}

/** A Dockerfile as its stages: the steps from each FROM to the next. */
function stages(solution: string): Step[][] {
  const text = readFileSync(join(root, "solutions", solution, "Dockerfile"), "utf8");
  const result: Step[][] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    const flags = new Map<string, string | null>();
    if (instruction instanceof ModifiableInstruction) {
      for (const flag of instruction.getFlags()) flags.set(flag.getName(), flag.getValue());
    }
    const json = instruction instanceof JSONInstruction ? instruction.getJSONStrings() : [];
    const exec = json.length > 0;
    const args = exec
      ? json.map((s) => s.getJSONValue())
      : instruction.getArguments().map((a) => a.getValue());
    if (keyword === "FROM") result.push([]);
    result.at(-1)?.push({ keyword, args, flags, exec });
  }
  return result;
}

const find = (stage: Step[], keyword: string) => stage.filter((s) => s.keyword === keyword);
const runs = (stage: Step[]) => find(stage, "RUN").map((s) => s.args.join(" "));
const last = <T>(items: T[]): T => {
  const item = items.at(-1);
  assert.ok(item !== undefined, "expected at least one");
  return item;
};
const image = (stage: Step[]) => last(find(stage, "FROM").map((s) => s.args[0] ?? ""));
const solutions = ["01-alpine-by-hand", "02-node-alpine", "03-multi-stage", "04-non-root"];

for (const solution of solutions) {
  test(`solutions/${solution}: exec-form CMD, no ADD, lockfile installed before sources`, () => {
    const steps = stages(solution).flat();
    assert.equal(last(find(steps, "CMD")).exec, true, "CMD must use the exec form");
    assert.deepEqual(find(steps, "ADD"), [], "use COPY, not ADD");
    const copies = find(steps, "COPY").map((s) => s.args.join(" "));
    const lockfile = copies.findIndex((c) => c.includes("package-lock.json"));
    const sources = copies.findIndex((c) => /\bsrc\b/.test(c));
    assert.ok(lockfile >= 0 && sources > lockfile, "copy the lockfile before the sources");
  });
}

test("solutions/01: Node.js and npm added by hand to a pinned alpine", () => {
  const [stage = [], ...rest] = stages("01-alpine-by-hand");
  assert.equal(rest.length, 0);
  assert.match(image(stage), /^alpine:(?!latest$)[\w.-]+$/);
  const apk = runs(stage).find((r) => r.includes("apk add"));
  assert.match(apk ?? "", /apk add --no-cache\b.*\bnodejs\b/);
  assert.match(apk ?? "", /\bnpm\b/);
});

test("solutions/02: starts from an Alpine-based Node.js image", () => {
  assert.match(image(last(stages("02-node-alpine"))), /^node:\d+(\.\d+)*-alpine[\d.]*$/);
});

/** Exercise 3's lesson, which exercise 4 keeps: a runtime stage with Node.js but no npm. */
function assertMultiStage(solution: string): Step[] {
  const all = stages(solution);
  assert.ok(all.length >= 2, "a build stage and a runtime stage");
  const runtime = last(all);
  assert.match(image(runtime), /^alpine:(?!latest$)[\w.-]+$/);
  assert.ok(runs(runtime).some((r) => /apk add --no-cache\b.*\bnodejs\b/.test(r)));
  assert.ok(!runs(runtime).some((r) => /\bnpm\b/.test(r)), "no npm in the runtime stage");
  const path = find(runtime, "ENV").map((s) => s.args.join(" "));
  assert.ok(
    path.some((e) => /\bPATH[= ]\S*node_modules\/\.bin/.test(e)),
    "node_modules/.bin",
  );
  const fromBuild = find(runtime, "COPY").filter((s) => s.flags.has("from"));
  assert.ok(fromBuild.length > 0, "copies from the build stage");
  for (const copy of fromBuild) {
    for (const source of copy.args.slice(0, -1)) {
      assert.match(source, /(dist|node_modules|package\.json)\/?$/, `copies only what runs`);
    }
  }
  assert.equal(last(find(runtime, "CMD")).args[0], "fastify");
  return runtime;
}

test("solutions/03: the runtime stage has no npm and finds fastify on PATH", () => {
  assertMultiStage("03-multi-stage");
});

test("solutions/04: as 03, run by a user and group of its own", () => {
  const runtime = assertMultiStage("04-non-root");
  assert.ok(runs(runtime).some((r) => /addgroup\b/.test(r) && /adduser\b/.test(r)));
  const chown =
    find(runtime, "COPY").some((s) => s.flags.has("chown")) ||
    runs(runtime).some((r) => /\bchown\b/.test(r));
  assert.ok(chown, "give the app's files to its user");
  assert.doesNotMatch(last(find(runtime, "USER")).args[0] ?? "root", /^(root|0)(:|$)/);
});

/** Markdown files below `dir`, as paths relative to the repository root. */
function markdown(dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md") && !file.split(/[\\/]/).includes("node_modules"))
    .map((file) => join(dir, file));
}

const sections = [
  "Goal",
  "Project tree",
  "Steps",
  "Hints",
  "Expected result",
  "Check your work",
  "Clean up",
];

test("every exercise README has the same sections, in order", () => {
  const readmes = markdown("exercises").filter((file) => file.endsWith("README.md"));
  assert.equal(readmes.length, EXERCISES.length);
  for (const readme of readmes) {
    const headings = [...readFileSync(join(root, readme), "utf8").matchAll(/^## (.+)$/gm)];
    const found = headings.map((m) => (m[1] ?? "").trim()).filter((h) => sections.includes(h));
    assert.deepEqual(found, sections, readme);
  }
});

test("every relative link in the Markdown resolves to a file", () => {
  const files = [
    "README.md",
    ...["exercises", "solutions", "docs", "api", "infra", "tools"].flatMap(markdown),
  ];
  const broken: string[] = [];
  for (const file of files.filter((f) => existsSync(join(root, f)))) {
    const text = readFileSync(join(root, file), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    const targets = [
      ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (!target || /^(https?:|mailto:|#)/.test(target)) continue;
      const path = join(root, dirname(file), decodeURIComponent(target.replace(/#.*$/, "")));
      if (!existsSync(path)) broken.push(`${file}: ${target} (${relative(root, path)})`);
    }
  }
  assert.deepEqual(broken, []);
});

/** The commands of a README's "Steps": fenced lines and inline code, as typed. */
function stepCommands(readme: string): string[] {
  const steps = readme.slice(readme.indexOf("## Steps"), readme.indexOf("## Hints"));
  return [
    ...[...steps.matchAll(/^ *```(?:sh|bash)\n([\s\S]*?)^ *```/gm)].flatMap(([, block = ""]) =>
      block.split("\n").map((line) => line.trim()),
    ),
    ...[...steps.matchAll(/`([^`\n]+)`/g)].map(([, code = ""]) => code),
  ].filter(Boolean);
}

test("a command in an expected result is the command its step gives, not a variant of it", () => {
  const words = (command: string) => command.split(/\s+/).slice(0, 5).join(" ");
  for (const exercise of EXERCISES) {
    const readme = readFileSync(join(root, readmeOf(exercise)), "utf8");
    const expected = readme.slice(readme.indexOf("## Expected result"), readme.indexOf("## Check"));
    const given = stepCommands(readme);
    for (const [, shown = ""] of expected.matchAll(/^\$ (.+)$/gm)) {
      if (shown.split(/\s+/).length < 5) continue;
      const variants = given.filter((c) => words(c) === words(shown));
      if (variants.length)
        assert.ok(
          variants.includes(shown),
          `${readmeOf(exercise)}: "$ ${shown}" differs from its step's ${variants.join(" / ")}`,
        );
    }
  }
});

test("exercise 3's expected count of node_modules entries is the API's production dependencies", () => {
  const lock = JSON.parse(readFileSync(join(root, "api/package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  // `ls /app/node_modules` after `npm prune --omit=dev`: one entry per top-level package or scope.
  const entries = new Set(
    Object.entries(lock.packages)
      .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev)
      .map(([path]) => path.split("/")[1]),
  );
  const readme = readFileSync(join(root, "exercises/03-multi-stage/README.md"), "utf8");
  const shown = /ls \/app\/node_modules \| wc -l'\n(?:.*\n)*?(\d+)\n```/.exec(readme)?.[1];
  assert.equal(Number(shown), entries.size);
});
