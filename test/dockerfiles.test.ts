import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import {
  Copy,
  DockerfileParser,
  From,
  type Instruction,
  type JSONInstruction,
} from "dockerfile-ast";
import { STACK } from "@course/stack";

// Static checks of every Dockerfile in the repository, including the alpine targets that cannot
// be built where Docker Hub is out of reach: the habits the course teaches, read from the files.

const root = join(import.meta.dirname, "..");
// Exercises 1 to 3 come before the non-root lesson; the course CLI's failing fixtures break the
// rules on purpose. Everything else runs as a non-root user.
const ROOT_ALLOWED = /^solutions\/0[1-3]-|^tools\/course\/test\/fixtures\//;
const FIXTURES = /^tools\/course\/test\/fixtures\//;
// Built from the repository root, one shape for all: exercise 5 copies one and renames it.
const SERVICES = STACK.map((service) => service.dockerfile);

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
  for (const expected of SERVICES) assert.ok(files.includes(expected), expected);
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
      const from = copy.getFlags().find((flag) => flag.getName() === "from");
      if (from !== undefined) {
        assert.ok(
          stages.has(from.getValue() ?? ""),
          `COPY --from=${from.getValue() ?? ""} names a stage`,
        );
        continue;
      }
      // A list of workspace manifests from the context goes stale with the next workspace.
      for (const path of copy.getArguments().slice(0, -1))
        assert.doesNotMatch(
          path.getValue().replace(/^\.\//, ""),
          /\/package\.json$/,
          `no workspace manifest copied by hand: ${copy.getTextContent()}`,
        );
    }

    if (!ROOT_ALLOWED.test(file)) {
      // The last USER of every stage that can be a final image, i.e. every stage after the build.
      const runtimes = froms.filter(
        (from) => !["manifests", "build"].includes(from.getBuildStage() ?? ""),
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

/** A service Dockerfile with what may differ (its folder, name, port, wording) left out. */
function shape(file: string) {
  const folder = dirname(file);
  return DockerfileParser.parse(readFileSync(join(root, file), "utf8"))
    .getInstructions()
    .map((instruction) => {
      const keyword = instruction.getKeyword();
      if (!["FROM", "COPY", "RUN"].includes(keyword)) return keyword;
      return instruction.getTextContent().replaceAll(folder, "<service>");
    });
}

test("the service Dockerfiles have one shape", () => {
  const [first = "", ...others] = SERVICES;
  for (const file of others)
    assert.deepEqual(shape(file), shape(first), `${file} is shaped as ${first}`);
});

/** The instructions of each stage, by stage name. */
function stagesOf(text: string) {
  const stages = new Map<string, Instruction[]>();
  let current: Instruction[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) stages.set(instruction.getBuildStage() ?? "", (current = []));
    current.push(instruction);
  }
  return stages;
}

for (const file of SERVICES) {
  test(`${file}: a comment per stage, npm ci from the manifests alone, its own folder built`, () => {
    const text = readFileSync(join(root, file), "utf8");
    const lines = text.split("\n");
    const stages = stagesOf(text);
    assert.deepEqual([...stages.keys()], ["manifests", "build", "alpine", "distroless"]);
    for (const [name, [from]] of stages) {
      const line = from?.getRange().start.line ?? 0;
      assert.match(
        lines[line - 1] ?? "",
        new RegExp(`^# ${name}: \\S`),
        `${name} says what it is for`,
      );
      assert.doesNotMatch(lines[line - 2] ?? "", /^#/, `one comment line above ${name}`);
    }

    const build = stages.get("build") ?? [];
    const ci = build.findIndex((i) => /\bnpm ci\b/.test(i.getTextContent()));
    assert.ok(ci > 0, "the build stage runs npm ci");
    for (const copy of build.slice(0, ci).filter((i) => i instanceof Copy))
      assert.match(
        copy.getTextContent(),
        /^COPY --from=manifests /,
        "npm ci sees the manifests only",
      );
    for (const copy of build.filter((i) => i instanceof Copy)) {
      const sources = copy.getArguments().slice(0, -1);
      assert.ok(
        !sources.some((source) => /^\.\/?$/.test(source.getValue())),
        `not the whole context: ${copy.getTextContent()}`,
      );
    }

    // Only the runtime stages are per platform: an arm64 image is built without emulation.
    for (const name of ["manifests", "build"])
      assert.match(
        stages.get(name)?.[0]?.getTextContent() ?? "",
        /^FROM --platform=\$BUILDPLATFORM /,
        `${name} runs on the build platform`,
      );

    // The lines exercise 5 changes in a copied Dockerfile: they must agree with its folder.
    const folder = dirname(file);
    assert.match(text, new RegExp(`^COPY ${folder}/ ${folder}/$`, "m"), "sources from its folder");
    assert.match(
      build[ci]?.getTextContent() ?? "",
      new RegExp(`npm ci --workspace ${folder} --include-workspace-root=false `),
      "installs its own workspace's packages, not the root's linters and browser driver",
    );
    assert.match(
      text,
      new RegExp(`^RUN npm run build --workspace ${folder}$`, "m"),
      "builds its folder",
    );
  });
}
