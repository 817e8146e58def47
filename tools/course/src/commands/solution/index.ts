import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { findExercise } from "../../catalogue.ts";
import { CouldNotCheck } from "../../lib/errors.ts";
import { repoRoot, shown } from "../../lib/paths.ts";
import { bold, dim, green } from "../../lib/ui.ts";
import { answerOf, type Copy } from "./answers.ts";
import { rewrite } from "./rewrite.ts";

// `course solution N`: the reference answer of exercise N put where the trainee's work goes, for
// a trainee who is behind, so that the next exercise can start. What the trainee had there is
// moved aside, not deleted, into .course/kept/ (ignored by git and by every build).

/** Not copied: what an install or a build made in the answer's folder. */
const SKIPPED = new Set(["node_modules", "dist"]);

/** Every file below a repository path (itself when it is a file), as repository paths. */
function filesOf(root: string, path: string): string[] {
  if (!statSync(join(root, path)).isDirectory()) return [path];
  return readdirSync(join(root, path), { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .flatMap((entry) => filesOf(root, `${path}/${entry.name}`));
}

const stamp = (now: Date) => now.toISOString().slice(0, 19).replaceAll(":", "-");

export interface SolutionOptions {
  /** The repository to work in (tests use a copy of it). */
  root?: string;
  now?: Date;
}

/** Puts the answer in place; returns the exit status. */
export function solution(number: number, options: SolutionOptions = {}): number {
  const root = options.root ?? repoRoot;
  const exercise = findExercise(number);
  if (!exercise) throw new CouldNotCheck(`there is no exercise ${String(number)}.`);
  const { copies, renames, syncLockfile } = answerOf(exercise);
  for (const { from } of copies)
    if (!existsSync(join(root, from)))
      throw new CouldNotCheck(`the reference answer is missing: there is no ${from}.`);

  const kept = join(
    root,
    ".course",
    "kept",
    `${exercise.slug}-${stamp(options.now ?? new Date())}`,
  );
  const keptAside: Copy[] = [];
  for (const { to } of copies) {
    const path = join(root, to);
    if (!existsSync(path)) continue;
    mkdirSync(dirname(join(kept, to)), { recursive: true });
    renameSync(path, join(kept, to));
    keptAside.push({ from: to, to: join(kept, to) });
  }

  for (const copy of copies)
    for (const file of filesOf(root, copy.from)) {
      const to = copy.to + file.slice(copy.from.length);
      mkdirSync(dirname(join(root, to)), { recursive: true });
      const text = readFileSync(join(root, file), "utf8");
      writeFileSync(join(root, to), rewrite(text, { from: file, to }, copies, renames));
    }

  console.log(
    bold(`Exercise ${String(number)}, ${exercise.title}: the reference answer is in place.`),
  );
  const width = Math.max(...copies.map((c) => c.to.length));
  for (const { from, to } of copies) console.log(`  ${to.padEnd(width)}  ${dim(`from ${from}`)}`);
  if (keptAside.length) {
    console.log(`Your own version is kept, untouched, in ${shown(kept)}:`);
    for (const { from, to } of keptAside) console.log(`  ${from}  ${dim(`→ ${shown(to)}`)}`);
  } else console.log("You had none of these files yet: nothing was kept aside.");

  if (syncLockfile) {
    // `npm ci` in an image build refuses a lockfile that does not list every workspace.
    const args = ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"];
    const npm = spawnSync("npm", args, {
      cwd: root,
      encoding: "utf8",
      shell: process.platform === "win32",
    });
    if (npm.status !== 0) {
      console.error(`\`npm ${args.join(" ")}\` failed; run \`npm install\` yourself, then check.`);
      console.error((npm.stderr || npm.stdout || String(npm.error ?? "")).trim());
      return 1;
    }
    console.log(
      "package-lock.json now lists the copied workspace (npm install --package-lock-only).",
    );
  }
  console.log(green(`Next: npx course check ${String(number)}`));
  return 0;
}
