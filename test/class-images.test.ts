// Every image the course's files name is in the class image catalogue, so that `course images
// save` archives the whole day and a room that loaded it pulls nothing; and the Alpine release is
// named in one place. To move to the next release, change ALPINE_RELEASE in
// tools/course/src/class-images.ts and run this file: it lists every file still naming the old one.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ALPINE_RELEASE, CLASS_IMAGES } from "@course/cli";
import { DockerfileParser } from "dockerfile-ast";

const root = join(import.meta.dirname, "..");
const SKIP = new Set(["node_modules", ".git", "dist"]);

/** Files below `dir` (relative to the repository root) whose name passes `keep`. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

const isDockerfile = (name: string) => name === "Dockerfile" || name.endsWith(".Dockerfile");
const DOCKERFILES = ["solutions", "services", "infra", "tools/course/dockerfiles"].flatMap((dir) =>
  filesUnder(dir, isDockerfile),
);
const MARKDOWN = [
  "README.md",
  ...["exercises", "solutions", "docs"].flatMap((dir) =>
    filesUnder(dir, (name) => name.endsWith(".md")),
  ),
];

/** The course's own images (built in class, or the offline stand-ins): never pulled. */
const OWN = /^(course-offline|advanced-docker|course-sizes|course-check)[/:-]|^api:ex\d+$/;
/** A tag written as a pattern (`node:…`, `node:24.x.y-alpine`) in prose, not an image. */
const PATTERN = /…|\.\.\.|[<>]|(^|[:.-])[xyz](?=$|[.-])/;

const catalogue = new Set(CLASS_IMAGES.map((image) => image.name));
const normalise = (image: string) =>
  image.replace(/^docker\.io\/(library\/)?/, "").replace(/@.*$/, "");

/** Images named by a Dockerfile's FROM lines, with its ARG defaults applied. */
function dockerfileImages(file: string): string[] {
  const dockerfile = DockerfileParser.parse(readFileSync(join(root, file), "utf8"));
  const defaults = new Map<string, string>();
  for (const arg of dockerfile.getARGs())
    for (const property of arg.getProperties()) {
      const value = property.getValue();
      if (value !== null) defaults.set(property.getName(), value);
    }
  const froms = dockerfile.getFROMs();
  const stages = new Set(froms.map((from) => from.getBuildStage()).filter((s) => s !== null));
  return froms
    .map((from) =>
      (from.getImage() ?? "").replace(
        /\$\{?(\w+)\}?/g,
        (_, name: string) => defaults.get(name) ?? "",
      ),
    )
    .filter((image) => image !== "scratch" && !stages.has(image));
}

const IMAGE_REFERENCE = /(?<![\w./-])(?:node:|alpine:|gcr\.io\/distroless\/)[^\s`'"<>)\],;]+/g;

/** Images named in a Markdown file's code: fenced blocks, inline code and <code> elements. */
function markdownImages(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const code = [
    ...[...text.matchAll(/^ *(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^ *\1/gm)].map((m) => m[2] ?? ""),
    ...[...text.replace(/^ *(`{3,}|~{3,})[\s\S]*?^ *\1/gm, "").matchAll(/(`+)([^`]+?)\1/g)].map(
      (m) => m[2] ?? "",
    ),
    ...[...text.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => m[1] ?? ""),
  ];
  return code.flatMap((part) => [...part.matchAll(IMAGE_REFERENCE)].map((m) => m[0]));
}

/** `file: image` for each image a file names that is neither the course's own nor catalogued. */
function unknown(file: string, images: string[]): string[] {
  return images
    .map(normalise)
    .filter((image) => !OWN.test(image) && !PATTERN.test(image))
    .filter((image) => !catalogue.has(image))
    .map((image) => `${file}: ${image}`);
}

test("the files scanned for images are found", () => {
  for (const expected of [
    "solutions/01-alpine-by-hand/Dockerfile",
    "services/company/Dockerfile",
    "infra/cosmosdb/Dockerfile",
    "tools/course/dockerfiles/api-distroless.Dockerfile",
    "exercises/02-node-alpine/README.md",
    "docs/trainer-guide.md",
  ])
    assert.ok([...DOCKERFILES, ...MARKDOWN].includes(expected), expected);
});

test("every image a Dockerfile builds from is in the class image catalogue", () => {
  const found = DOCKERFILES.flatMap((file) => unknown(file, dockerfileImages(file)));
  assert.deepEqual(found, [], "add them to CLASS_IMAGES in tools/course/src/class-images.ts");
});

test("every image the READMEs and docs name in code is in the class image catalogue", () => {
  const found = MARKDOWN.flatMap((file) => unknown(file, markdownImages(file)));
  assert.deepEqual(found, [], "add them to CLASS_IMAGES, or name a catalogued image");
});

test(`every file names Alpine ${ALPINE_RELEASE}, the release in the catalogue`, () => {
  const text = (name: string) =>
    name !== "package-lock.json" &&
    (isDockerfile(name) || /\.(md|ts|mts|js|mjs|json|ya?ml|sh|txt)$/.test(name));
  const other: string[] = [];
  for (const file of filesUnder(".", text)) {
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    lines.forEach((line, index) => {
      for (const match of line.matchAll(/\b(?:alpine:|node:[\w.]*-alpine)(3\.\d+)\b/g))
        if (match[1] !== ALPINE_RELEASE)
          other.push(`${relative(".", file)}:${String(index + 1)}: ${match[0]}`);
    });
  }
  assert.deepEqual(other, [], `move them to Alpine ${ALPINE_RELEASE}`);
});
