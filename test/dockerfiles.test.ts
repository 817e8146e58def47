import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { DockerfileParser, type From, type JSONInstruction } from "dockerfile-ast";

// Static checks of every Dockerfile in the repository, including the alpine targets that cannot
// be built where Docker Hub is out of reach: the habits the course teaches, read from the files.

const root = join(import.meta.dirname, "..");
// Exercises 1 to 3 come before the non-root lesson; the course CLI's failing fixtures break the
// rules on purpose. Everything else runs as a non-root user.
const ROOT_ALLOWED = /^solutions\/0[1-3]-|^tools\/course\/test\/fixtures\//;
const FIXTURES = /^tools\/course\/test\/fixtures\//;

function dockerfiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (["node_modules", ".git", "dist"].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dockerfiles(path);
    return entry.name === "Dockerfile" || entry.name.endsWith(".Dockerfile")
      ? [relative(root, path)]
      : [];
  });
}

const files = dockerfiles(root);

test("the repository's Dockerfiles are found", () => {
  for (const expected of [
    "services/company/Dockerfile",
    "services/department/Dockerfile",
    "solutions/05-compose-employees/services/employee/Dockerfile",
    "infra/cosmosdb/Dockerfile",
  ]) {
    assert.ok(files.includes(expected), expected);
  }
});

for (const file of files.filter((path) => !FIXTURES.test(path))) {
  test(`${file} follows the course's rules`, () => {
    const dockerfile = DockerfileParser.parse(readFileSync(join(root, file), "utf8"));
    const defaults = new Map<string, string>();
    for (const arg of dockerfile.getARGs()) {
      for (const property of arg.getProperties()) {
        const value = property.getValue();
        if (value !== null) defaults.set(property.getName(), value);
      }
    }
    const resolve = (image: string) =>
      image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => defaults.get(name) ?? "");
    const froms: From[] = dockerfile.getFROMs();
    const stages = new Set(
      froms.map((from) => from.getBuildStage()).filter((stage) => stage !== null),
    );

    for (const from of froms) {
      const image = resolve(from.getImage() ?? "");
      if (stages.has(image)) continue; // FROM an earlier stage
      const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1];
      assert.ok(tag !== undefined, `${image} has a version tag`);
      assert.notEqual(tag, "latest", `${image} is not :latest`);
    }

    const instructions = dockerfile.getInstructions();
    assert.deepEqual(
      instructions.filter((i) => i.getKeyword() === "ADD").length,
      0,
      "COPY, not ADD",
    );

    for (const cmd of [
      ...dockerfile.getCMDs(),
      ...dockerfile.getENTRYPOINTs(),
    ] as JSONInstruction[]) {
      assert.ok(cmd.getJSONStrings().length > 0, `exec form: ${cmd.getTextContent()}`);
      assert.doesNotMatch(cmd.getTextContent(), /"npm"|"npx"/, "does not start through npm");
    }

    for (const run of instructions.filter((i) => i.getKeyword() === "RUN")) {
      const text = run.getTextContent();
      if (/\bapk add\b/.test(text))
        assert.match(text, /apk add --no-cache/, `apk add --no-cache: ${text}`);
    }

    for (const instruction of [...dockerfile.getARGs(), ...dockerfile.getENVs()]) {
      for (const property of instruction.getProperties()) {
        assert.doesNotMatch(
          property.getName(),
          /KEY|SECRET|PASSWORD|TOKEN/i,
          `no secret in ${property.getName()}`,
        );
      }
    }

    for (const copy of dockerfile.getCOPYs()) {
      const source = copy.getFromFlag()?.getValue();
      if (source !== undefined && source !== null)
        assert.ok(stages.has(source), `COPY --from=${source} names a stage`);
    }

    if (!ROOT_ALLOWED.test(file)) {
      // The last USER of every stage that can be a final image, i.e. every stage after the build.
      const runtimes = froms.filter(
        (from) => !["build", "deps"].includes(from.getBuildStage() ?? ""),
      );
      assert.ok(runtimes.length > 0);
      for (const from of runtimes) {
        const start = from.getRange().start.line;
        const next =
          froms.find((other) => other.getRange().start.line > start)?.getRange().start.line ??
          Infinity;
        const users = instructions.filter(
          (i) =>
            i.getKeyword() === "USER" &&
            i.getRange().start.line > start &&
            i.getRange().start.line < next,
        );
        const user = users.at(-1)?.getArgumentsContent() ?? "root";
        assert.ok(
          !/^(root|0)(:|$)/.test(user),
          `stage ${from.getBuildStage() ?? "?"} runs as ${user}`,
        );
      }
    }
  });
}
