import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { EXERCISES, readmeOf, solutionOf } from "@course/cli";
import { COMPOSE_FILES, COURSE_PORTS, MICROSERVICES, STACK } from "@course/stack";
import { DockerfileParser } from "dockerfile-ast";
import { needsDocker, run } from "./containers/docker.ts";
import {
  MIN_COMPOSE,
  MIN_DESKTOP,
  MIN_ENGINE_MAJOR,
} from "../tools/course/src/commands/doctor/findings.ts";
import { ALPINE_NODE_PARTS, EXPECTED_SIZES, rangeOf } from "../tools/course/src/expected-sizes.ts";

// One place for each fact: the stack registry (@course/stack) and the exercise catalogue
// (tools/course/src/catalogue.ts). Everything that repeats them must agree with them: compose,
// each Dockerfile's EXPOSE and HEALTHCHECK, each service's default port and parent, the
// workspaces, the exercise and solution folders.

const root = join(import.meta.dirname, "..");
const text = (path: string) => readFileSync(join(root, path), "utf8");

test("every service of the registry is a workspace, and has its Dockerfile", () => {
  const patterns = (JSON.parse(text("package.json")) as { workspaces: string[] }).workspaces;
  const isWorkspace = (folder: string) =>
    patterns.some((p) => (p.endsWith("/*") ? dirname(folder) === p.slice(0, -2) : folder === p));
  for (const service of STACK) {
    assert.ok(
      existsSync(join(root, service.folder, "package.json")),
      `${service.folder}/package.json`,
    );
    assert.ok(isWorkspace(service.folder), `${service.folder} is a workspace`);
    assert.ok(existsSync(join(root, service.dockerfile)), service.dockerfile);
  }
});

test("each Dockerfile exposes and health-checks the registry's port in every runtime", () => {
  for (const service of STACK) {
    const dockerfile = DockerfileParser.parse(text(service.dockerfile));
    const exposed = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === "EXPOSE")
      .map((i) => i.getArgumentsContent());
    const healthchecks = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === "HEALTHCHECK")
      .map((i) => i.getArgumentsContent() ?? "");
    assert.ok(exposed.length > 0, `${service.dockerfile} has EXPOSE`);
    for (const port of exposed)
      assert.equal(port, String(service.port), `${service.dockerfile} EXPOSE`);
    assert.ok(healthchecks.length > 0, `${service.dockerfile} has HEALTHCHECK`);
    for (const check of healthchecks)
      assert.match(
        check,
        new RegExp(`\\b${String(service.port)}\\b`),
        `${service.dockerfile} HEALTHCHECK`,
      );
  }
});

test("each microservice's default port and parent variable are the registry's", async () => {
  for (const service of MICROSERVICES) {
    const app = (await import(pathToFileURL(join(root, service.folder, "src/app.ts")).href)) as {
      configSpec: { defaultPort: number; parents?: Record<string, string> };
    };
    assert.equal(app.configSpec.defaultPort, service.port, `${service.name} default port`);
    const parents = Object.entries(app.configSpec.parents ?? {});
    const parent = "parent" in service ? service.parent : undefined;
    assert.deepEqual(
      parents,
      parent ? [[parent.name, parent.variable]] : [],
      `${service.name} parent`,
    );
  }
});

test("the class's ports are the registry's", () => {
  assert.deepEqual(COURSE_PORTS, [8000, 8001, 8002, 8003, 8081]);
});

test("compose publishes the registry's ports, builds its Dockerfiles, and points children at parents", async (t) => {
  if (!(await needsDocker(t))) return;
  const output = await run("docker", [
    "compose",
    "--env-file",
    "/dev/null",
    "-f",
    COMPOSE_FILES.withEmployee,
    "config",
    "--format",
    "json",
  ]);
  const config = JSON.parse(output) as {
    services: Record<
      string,
      {
        build?: { dockerfile?: string };
        ports?: { host_ip?: string; published?: string; target?: number }[];
        environment?: Record<string, string | null>;
      }
    >;
  };
  assert.deepEqual(Object.keys(config.services).sort(), STACK.map((s) => s.name).sort());
  for (const service of STACK) {
    const entry = config.services[service.name];
    assert.ok(entry, service.name);
    assert.equal(entry.build?.dockerfile, service.dockerfile, `${service.name} Dockerfile`);
    assert.deepEqual(
      entry.ports?.map((p) => `${p.host_ip ?? ""}:${p.published ?? ""}:${String(p.target)}`),
      [`127.0.0.1:${String(service.port)}:${String(service.port)}`],
      `${service.name} ports`,
    );
    const parent =
      "parent" in service ? (service.parent as { name: string; variable: string }) : undefined;
    if (parent) {
      const port = STACK.find((s) => s.name === parent.name)?.port;
      assert.equal(entry.environment?.[parent.variable], `http://${parent.name}:${String(port)}`);
    }
  }
});

test("the exercise catalogue has a README and a solution for each exercise, and no other", () => {
  const folders = (dir: string) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  const slugs = EXERCISES.map((e) => e.slug).sort();
  assert.deepEqual(folders("exercises"), slugs);
  assert.deepEqual(folders("solutions"), slugs);
  for (const exercise of EXERCISES) {
    assert.ok(existsSync(join(root, readmeOf(exercise))), readmeOf(exercise));
    assert.ok(existsSync(join(root, solutionOf(exercise))), solutionOf(exercise));
    assert.match(
      text(readmeOf(exercise)),
      // A command line of its own, in the form that works in every shell (npm's PowerShell
      // wrapper before npm 10.9.3 (11.4 on npm 11) drops the `--` of `npm run course -- check N`).
      new RegExp(`^npx course check ${String(exercise.number)}\\b`, "m"),
      `${readmeOf(exercise)} says how to check it: npx course check ${String(exercise.number)}`,
    );
    assert.match(
      text(readmeOf(exercise)),
      new RegExp(`^# Exercise ${String(exercise.number)}: `, "m"),
    );
  }
});

test("every page that names the npm releases whose PowerShell wrapper drops `--` names both lines", () => {
  // npm.ps1 keeps the `--` from 10.9.3 on npm 10 and from 11.4.0 on npm 11 (11.0 to 11.3 do not).
  const pages = [
    "README.md",
    "tools/course/README.md",
    ...EXERCISES.flatMap((e) => [readmeOf(e), join(solutionOf(e), "README.md")]),
    ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`),
  ].filter(
    (file) => file.endsWith(".md") && existsSync(join(root, file)) && text(file).includes("10.9.3"),
  );
  assert.ok(pages.length >= 6, pages.join(", "));
  for (const file of pages)
    assert.match(
      text(file).replace(/\s+/g, " "),
      /10\.9\.3 \((?:or an npm 11 older than|11\.4 on npm 11)/,
      file,
    );
});

/** The Markdown that quotes sizes and versions: the README, the exercises, the answers, the docs. */
const pages = () =>
  [
    "README.md",
    ...["exercises", "solutions"].flatMap((dir) =>
      readdirSync(join(root, dir)).map((name) => `${dir}/${name}/README.md`),
    ),
    ...readdirSync(join(root, "docs"))
      .filter((name) => name.endsWith(".md") && name !== "benchmarks.md")
      .map((name) => `docs/${name}`),
  ].filter((page) => existsSync(join(root, page)));

test("every size range the pages quote is one of the expected sizes, for the image it is", () => {
  const known = new Set<string>(Object.values(EXPECTED_SIZES).map((e) => e.size));
  for (const page of pages()) {
    const body = text(page).replace(/\s+/g, " ");
    for (const [size] of body.matchAll(/\b\d+–\d+ MB\b/g))
      assert.ok(known.has(size), `${page}: ${size} is not in tools/course/src/expected-sizes.ts`);
    // "`node:24` about 1.13 GB", "`alpine:3.24` is about 8.4 MB": an image named just before.
    for (const [, image = "", size = ""] of body.matchAll(
      /`([^`]+)`[^`.;:]{0,12}?\b(about \d[\d.]* (?:MB|GB))/g,
    )) {
      const entry = Object.values(EXPECTED_SIZES).find((e) => e.image === image);
      if (entry) assert.equal(size, entry.size, `${page}: ${image} ${size}`);
    }
    for (const { image, size } of Object.values(EXPECTED_SIZES)) {
      // A table row naming the image gives its size.
      for (const [row] of text(page).matchAll(
        new RegExp(`^\\| \`${image.replace(/[.+]/g, "\\$&")}\`[^|]*\\|[^|\\n]*\\|$`, "gm"),
      ))
        assert.ok(row.includes(size), `${page}: ${row.trim()} should say ${size}`);
    }
  }
});

test("the parts of Alpine with Node.js and npm add up to its expected size", () => {
  const [low, high] = rangeOf(EXPECTED_SIZES.alpineNode.size);
  const sum = Object.values(ALPINE_NODE_PARTS).reduce((a, b) => a + b, 0);
  assert.ok(sum >= low && sum <= high, `${String(sum)} MB within ${String(low)}–${String(high)}`);
  assert.equal(rangeOf(EXPECTED_SIZES.alpine.size)[0], ALPINE_NODE_PARTS.alpine);
  const readme = text("exercises/01-alpine-by-hand/README.md").replace(/\s+/g, " ");
  for (const part of [ALPINE_NODE_PARTS.nodejsWithLibraries, ALPINE_NODE_PARTS.npm])
    assert.match(
      readme,
      new RegExp(`about ${String(part)} MB`),
      `exercise 1 names the ${String(part)} MB part`,
    );
});

test("the sizes in the expected `docker images` output fall in the expected ranges", () => {
  const expected = new Map<string, string>(
    Object.values(EXPECTED_SIZES).map((e) => [e.image, e.size]),
  );
  for (const exercise of EXERCISES) {
    const readme = text(readmeOf(exercise));
    for (const [, repository = "", tag = "", shown = "", unit = ""] of readme.matchAll(
      /^(api|node)\s+(\S+)\s+\S+\s+.*?\s([\d.]+)(MB|GB)$/gm,
    )) {
      const size = expected.get(`${repository}:${tag}`);
      assert.ok(size, `${readmeOf(exercise)}: ${repository}:${tag} has an expected size`);
      const [low, high] = rangeOf(size);
      const mb = Number(shown) * (unit === "GB" ? 1000 : 1);
      assert.ok(
        mb >= low * 0.99 && mb <= high * 1.01,
        `${readmeOf(exercise)}: ${repository}:${tag} ${shown}${unit} within ${size}`,
      );
    }
  }
});

test("every minimum Docker version the pages state is the one course doctor asks for", () => {
  const stated = (pattern: RegExp) =>
    pages().flatMap((page) =>
      [...text(page).replace(/\s+/g, " ").matchAll(pattern)].map((m) => `${page}: ${m[1] ?? ""}`),
    );
  for (const line of stated(/Docker Compose (\d+\.\d+) or newer/g))
    assert.ok(line.endsWith(`: ${MIN_COMPOSE.text}`), line);
  for (const line of stated(/Docker Desktop (\d+\.\d+) or newer/g))
    assert.ok(line.endsWith(`: ${MIN_DESKTOP}`), line);
  for (const line of stated(/Docker Engine (\d+) or newer/g))
    assert.ok(line.endsWith(`: ${String(MIN_ENGINE_MAJOR)}`), line);
  for (const line of stated(/the rest of the day needs (\d+\.\d+)/g))
    assert.ok(line.endsWith(`: ${MIN_COMPOSE.text}`), line);
  assert.ok(
    stated(/Docker Compose (\d+\.\d+) or newer/g).length >= 3,
    "the README, exercise 5 and the guide state it",
  );
});

test("the sample API's image catalogue gives the expected sizes of the images the day pulls", () => {
  const catalogue = text("api/src/catalogue.ts");
  const sizeOf = (name: string) =>
    Number(new RegExp(`name: "${name}",[\\s\\S]*?sizeMb: (\\d+)`).exec(catalogue)?.[1]);
  for (const [name, expected] of [
    ["node", EXPECTED_SIZES.node],
    ["node-alpine", EXPECTED_SIZES.nodeAlpine],
    ["alpine", EXPECTED_SIZES.alpine],
  ] as const)
    assert.equal(
      sizeOf(name),
      Math.round(rangeOf(expected.size)[0]),
      `api/src/catalogue.ts: ${name}`,
    );
});
