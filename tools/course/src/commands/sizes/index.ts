import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { STACK } from "@course/stack";
import { EXERCISES, solutionOf } from "../../catalogue.ts";
import {
  DISTROLESS_DEFAULT,
  NODE_ALPINE,
  NODE_FULL,
  NODE_SLIM,
  ALPINE,
} from "../../class-images.ts";
import { build } from "../../lib/build.ts";
import { baseImages, docker, imageExists, requireEngine } from "../../lib/docker.ts";
import { engineFacts } from "../../lib/engine.ts";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { inRepo, repoRoot, userCwd } from "../../lib/paths.ts";
import { formatPlatform } from "../../lib/platform.ts";
import { pull } from "../../lib/pull.ts";
import { readResults } from "../../lib/results.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";
import { bold, yellow } from "../../lib/ui.ts";
import { renderMarkdown, renderSvg, renderTable, type SizeRow } from "./chart.ts";

// `course sizes`: the lesson of the day in one table and one chart. The reference bases, the
// exercise solutions and the course's services, built here, next to the trainee's own images.

/** The reference bases the table compares with, all from the class image catalogue. */
export const REFERENCE_BASES = [NODE_FULL, NODE_SLIM, NODE_ALPINE, ALPINE, DISTROLESS_DEFAULT];

interface Build {
  name: string;
  kind: SizeRow["kind"];
  dockerfile: string;
  context: string;
  target?: string;
  note?: string;
}

const api = inRepo("api");
const own = (name: string) => resolve(import.meta.dirname, "../../../dockerfiles", name);

function plannedBuilds(offline: boolean, alpine: boolean): Build[] {
  const builds: Build[] = [];
  if (!offline) {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== "image") continue;
      builds.push({
        name: `api:ex${String(exercise.number)}`,
        note: solutionOf(exercise),
        kind: "exercise",
        dockerfile: inRepo(`${solutionOf(exercise)}/Dockerfile`),
        context: inRepo(exercise.context),
      });
    }
  } else {
    builds.push({
      name: "api, one stage",
      kind: "exercise",
      dockerfile: own("api-one-stage.Dockerfile"),
      context: api,
      note: "exercise 2's shape, on the build image",
    });
  }
  builds.push({
    name: "api, multi-stage",
    kind: "exercise",
    dockerfile: own("api-distroless.Dockerfile"),
    context: api,
    note: "distroless runtime: Node.js and the app only",
  });
  for (const service of STACK) {
    for (const target of alpine ? ["distroless", "alpine"] : ["distroless"]) {
      builds.push({
        name: `${service.name} (${target})`,
        kind: "service",
        dockerfile: inRepo(service.dockerfile),
        context: repoRoot,
        target,
        note: service.note,
      });
    }
  }
  return builds;
}

const tagOf = (name: string) =>
  `course-sizes/${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")}:latest`;

async function sizeOf(reference: string) {
  return (await docker.getImage(reference).inspect()).Size;
}

async function standInFor(reference: string) {
  const labels = (await docker.getImage(reference).inspect()).Config.Labels as
    Record<string, string> | null | undefined;
  return labels?.["course.stand-in-for"];
}

export async function sizes(options: { offline: boolean; out?: string }): Promise<number> {
  await requireEngine();
  const rows: SizeRow[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const bases: string[] = [];

  const named = Object.entries(baseImages()).map(([name, value]) => ({ name, value }));
  let alpine = !options.offline;
  if (options.offline) {
    const required = ["BUILD_IMAGE", "DISTROLESS_IMAGE"].filter(
      (name) => !named.some((n) => n.name === name),
    );
    if (required.length)
      throw new CouldNotCheck(
        `--offline builds on the local base images named by BUILD_IMAGE and DISTROLESS_IMAGE; ${required.join(" and ")} ${required.length === 1 ? "is" : "are"} not set.`,
      );
    for (const { name, value } of named) {
      if (await imageExists(value)) bases.push(value);
      else if (name === "ALPINE_IMAGE") notes.push(`ALPINE_IMAGE=${value} is not on this machine.`);
      else throw new CouldNotCheck(`${name}=${value} is not on this machine (docker images).`);
    }
    alpine = named.some((n) => n.name === "ALPINE_IMAGE" && bases.includes(n.value));
    notes.push(
      "Offline: the bases are local stand-ins built without Docker Hub, and nothing was pulled.",
      "The exercise solutions 1 to 4 need Alpine images from Docker Hub: run `npx course sizes` online to see them.",
    );
    if (!alpine) notes.push("The services' alpine targets were skipped: no Alpine image here.");
  }

  const builds = plannedBuilds(options.offline, alpine);
  await runTasks(
    [
      ...(options.offline
        ? []
        : REFERENCE_BASES.map((image) => ({
            title: `Pull ${image}`,
            ...outputLines(1),
            task: async (_: object, task: { output: string; title: string }) => {
              try {
                await pull(image, (line) => (task.output = line));
                bases.push(image);
              } catch (error) {
                problems.push(`could not pull ${image}: ${errorMessage(error)}`);
                task.title = `Pull ${image}: failed`;
              }
            },
          }))),
      ...builds.map((item) => ({
        title: `Build ${item.name}`,
        ...outputLines(1),
        task: async (_: object, task: { output: string; title: string }) => {
          const tag = tagOf(item.name);
          const result = await build({
            dockerfile: item.dockerfile,
            context: item.context,
            tag,
            labels: { "course.sizes": "1" },
            ...(item.target ? { target: item.target } : {}),
            onLine: (line) => (task.output = line),
          });
          if (!result.ok) {
            problems.push(`could not build ${item.name}`);
            task.title = `Build ${item.name}: failed`;
            return;
          }
          rows.push({
            name: item.name,
            size: await sizeOf(tag),
            kind: item.kind,
            ...(item.note ? { note: item.note } : {}),
          });
        },
      })),
    ],
    {},
    { quiet: false },
  );

  for (const base of bases) {
    const standIn = await standInFor(base);
    rows.push({
      name: base,
      size: await sizeOf(base),
      kind: "base",
      ...(standIn ? { note: `offline stand-in for ${standIn}` } : {}),
    });
  }
  for (const result of await readResults()) {
    try {
      const image = await docker.getImage(result.tag).inspect();
      if (image.Id === result.id)
        rows.push({
          name: result.tag,
          size: image.Size,
          kind: "yours",
          note: `exercise ${String(result.exercise)}${result.passed ? ", passed" : ""}`,
        });
    } catch {
      // Removed since it was checked: nothing to show.
    }
  }

  // Sizes differ between platforms (an arm64 layer is not an amd64 one): the figures name theirs.
  const { platform } = await engineFacts();
  const title = `Image sizes on ${formatPlatform(platform)}${options.offline ? " (offline)" : ""}`;
  const out = resolve(userCwd, options.out ?? repoRoot);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, "sizes.svg"), renderSvg(rows, title, notes));
  await writeFile(join(out, "sizes.md"), renderMarkdown(rows, title, notes));

  console.log(`\n${bold(title)}\n\n${renderTable(rows)}\n`);
  for (const note of notes) console.log(`  ${note}`);
  for (const problem of problems) console.log(yellow(`  ${problem}`));
  console.log(`\n  Wrote ${join(out, "sizes.svg")} and ${join(out, "sizes.md")}.\n`);
  return problems.length ? 1 : 0;
}
