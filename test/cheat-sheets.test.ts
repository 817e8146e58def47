import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { EXERCISES, readmeOf } from "../tools/course/src/catalogue.ts";
import { cheatSheets, sheetOf } from "../scripts/cheat-sheets.ts";

// The printed cheat sheets are made from the exercises: one that differs from what
// `npm run cheat-sheets` makes now was edited by hand or left behind by a README change.

const root = join(import.meta.dirname, "..");

test("every cheat sheet is what `npm run cheat-sheets` makes from its README", () => {
  for (const [path, text] of cheatSheets()) {
    assert.ok(existsSync(join(root, path)), `${path} exists: run npm run cheat-sheets`);
    assert.equal(
      readFileSync(join(root, path), "utf8"),
      text,
      `${path} is stale: run npm run cheat-sheets`,
    );
  }
});

test("a sheet has every command of its exercise's steps, and PowerShell's own lines", () => {
  for (const exercise of EXERCISES) {
    const readme = readFileSync(join(root, readmeOf(exercise)), "utf8");
    const bash = readFileSync(join(root, sheetOf(exercise.slug, "bash")), "utf8");
    const powershell = readFileSync(join(root, sheetOf(exercise.slug, "powershell")), "utf8");
    const steps = readme.slice(readme.indexOf("## Steps"), readme.indexOf("## Hints"));
    for (const [, block = ""] of steps.matchAll(/^ *```sh\n([\s\S]*?)^ *```/gm))
      for (const line of block
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean))
        assert.ok(bash.includes(line), `${sheetOf(exercise.slug, "bash")} has ${line}`);
    for (const [, command = ""] of steps.matchAll(/PowerShell:\s*`([^`]+)`/g))
      assert.ok(
        powershell.includes(command),
        `${sheetOf(exercise.slug, "powershell")} has ${command}`,
      );
    assert.doesNotMatch(powershell, / \\$/m, "no bash line continuation on the PowerShell page");
  }
});
