// `npm run bench:day`: how long each step of the class day takes on this machine, as a trainer
// plans the timetable: `npm ci` in a fresh copy of the repository, loading an image archive, the
// first `docker compose up --build`, each `course check` on an answer that passes, and exercise
// 6's deploy. Prints the figures; the trainer guide quotes them. Nothing here passes or fails on
// a figure. Runs in a copy of the repository and under names of its own, and removes what it made.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";

const root = join(import.meta.dirname, "../..");
const PROJECT = "course-bench-day";
const course = ["--import", "tsx", join(root, "tools/course/src/main.ts")];

interface Figure {
  step: string;
  seconds: number;
  note: string;
}
const figures: Figure[] = [];

function run(command: string, args: string[], cwd = root): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`${command} ${args.join(" ")} exited ${String(code)}\n${output.slice(-2000)}`),
        );
    });
  });
}

/** Times one step; a step that fails is reported as such and the next one runs. */
async function timed(step: string, note: string, work: () => Promise<unknown>) {
  process.stderr.write(`▶ ${step} … `);
  const start = performance.now();
  try {
    await work();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n");
    process.stderr.write(`failed\n${reason.slice(-15).join("\n")}\n`);
    figures.push({ step, seconds: Number.NaN, note: `failed: ${reason[0] ?? ""}` });
    return;
  }
  const seconds = (performance.now() - start) / 1000;
  process.stderr.write(`${seconds.toFixed(0)} s\n`);
  figures.push({ step, seconds, note });
}

/** `npm run bench:day -- npm-ci docker`: the parts to run (default both); `npm ci` needs no engine. */
const parts = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ["npm-ci", "docker"]);

const SKIP = new Set(["node_modules", ".git", ".course", "dist", "test-results"]);

async function main() {
  const copy = mkdtempSync(join(tmpdir(), "course-bench-day-"));
  const archive = join(copy, "bases.tar");
  const offline = [process.env.BUILD_IMAGE, process.env.DISTROLESS_IMAGE].filter(
    (name): name is string => Boolean(name),
  );
  try {
    cpSync(root, copy, { recursive: true, filter: (source) => !SKIP.has(basename(source)) });

    if (parts.has("npm-ci"))
      await timed("npm ci (fresh copy, npm's cache as this machine has it)", "", () =>
        run("npm", ["ci", "--no-audit", "--no-fund"], copy),
      );

    if (parts.has("docker")) await dockerSteps(copy, archive, offline);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  printFigures();
}

async function dockerSteps(copy: string, archive: string, offline: string[]) {
  if (offline.length) {
    await run(process.execPath, [
      ...course,
      "images",
      "save",
      archive,
      "--no-pull",
      "--image",
      ...offline,
    ]);
    const mb = statSync(archive).size / 1e6;
    await timed(
      "npx course images load",
      `${mb.toFixed(0)} MB archive of the build and runtime bases, already on this machine`,
      () => run(process.execPath, [...course, "images", "load", archive]),
    );
  }

  await timed(
    "first docker compose build",
    "no build cache for the stack's images (--no-cache); npm's cache mount as it is",
    () => run("docker", ["compose", "-p", PROJECT, "build", "--no-cache"], copy),
  );
  await timed("docker compose up --wait, images built", "to every service healthy", () =>
    run("docker", ["compose", "-p", PROJECT, "up", "--wait"], copy),
  );
  await run("docker", ["compose", "-p", PROJECT, "down", "--rmi", "local"], copy).catch(() => "");

  const checks: [string, string[], string][] = [
    [
      "3",
      ["--file", "tools/course/test/fixtures/ex3-pass.Dockerfile"],
      "on a passing fixture built on the offline bases (Alpine cannot be pulled here)",
    ],
    [
      "4",
      ["--file", "tools/course/test/fixtures/ex4-pass.Dockerfile"],
      "the same, exercise 4's fixture",
    ],
    [
      "5",
      ["--file", "solutions/05-compose-employees/compose.yaml"],
      "the reference answer: build, start, probe, take down",
    ],
    [
      "6",
      ["--file", "deploy/swarm/stack.yaml"],
      "the course's stack file: deploy on a swarm, wait for every replica, remove",
    ],
  ];
  for (const [number, args, note] of checks)
    await timed(`npx course check ${number}`, note, () =>
      run(process.execPath, [...course, "check", number, ...args], root),
    );
}

function printFigures() {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${String(cpus().length)} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB:\n`,
  );
  console.log("| Step | Seconds | Note |\n| --- | ---: | --- |");
  for (const f of figures)
    console.log(
      `| ${f.step} | ${Number.isNaN(f.seconds) ? "–" : f.seconds.toFixed(0)} | ${f.note} |`,
    );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
