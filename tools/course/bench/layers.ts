import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { scanTar } from "../src/facts/filesystem.ts";
import { readImage } from "../src/facts/layers-read.ts";
import { docker } from "../src/lib/docker.ts";
import { repoRoot } from "../src/lib/paths.ts";

// What reading the layers costs `course check 3` on the API's image: the check used to read the
// image's files by exporting a container; it now streams the image (`docker save`) once and gets
// both the files and the layers from it. Both ways take turns on the same image in one run, then
// the whole check runs as a trainee runs it. Prints figures; asserts nothing.
//
//   BUILD_IMAGE=… DISTROLESS_IMAGE=… npx tsx tools/course/bench/layers.ts [rounds]

const rounds = Number(process.argv[2] ?? 5);
const FIXTURE = "tools/course/test/fixtures/ex3-pass.Dockerfile";
const TAG = "course-bench:layers-ex3";

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const seconds = (values: number[]) =>
  `${median(values).toFixed(2)} s (${values.map((v) => v.toFixed(2)).join(", ")})`;

async function timed(action: () => Promise<unknown>) {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

/** `course check 3` on the fixture, as a trainee runs it; the results go to a folder of its own. */
async function check(state: string): Promise<void> {
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "tools/course/src/main.ts",
        "check",
        "3",
        "--file",
        FIXTURE,
        "--tag",
        TAG,
      ],
      { cwd: repoRoot, env: { ...process.env, COURSE_STATE_DIR: state }, stdio: "ignore" },
    );
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`course check 3 on ${FIXTURE} exited with ${String(code)}`);
}

async function exportFiles() {
  const container = await docker.createContainer({ Image: TAG });
  try {
    await scanTar(await container.export());
  } finally {
    await container.remove({ force: true });
  }
}

const state = await mkdtemp(join(tmpdir(), "course-bench-"));
try {
  // The first check builds the image; the ones timed below find it in BuildKit's cache.
  await check(state);
  const { Size: size } = await docker.getImage(TAG).inspect();
  const exported: number[] = [];
  const saved: number[] = [];
  const checks: number[] = [];
  for (let round = 0; round < rounds; round++) {
    exported.push(await timed(exportFiles));
    saved.push(await timed(() => readImage(TAG, "/app")));
    checks.push(await timed(() => check(state)));
  }
  const info = (await docker.info()) as { ServerVersion?: string; Driver?: string };
  const [engine, driver] = [info.ServerVersion ?? "?", info.Driver ?? "?"];
  const added = median(saved) - median(exported);
  console.log(
    [
      `Measured by \`npx tsx tools/course/bench/layers.ts ${String(rounds)}\` on ${new Date().toISOString().slice(0, 10)}: ${String(cpus().length)} × ${cpus()[0]?.model ?? "unknown CPU"}, ${String(Math.round(totalmem() / 2 ** 30))} GiB, Docker Engine ${engine} (${driver}).`,
      `The image: ${FIXTURE} built on the offline bases, ${(size / 1e6).toFixed(0)} MB. Each round takes the three in turn; medians, then each round.`,
      "",
      "| Figure | Value | Goal |",
      "| --- | --- | --- |",
      `| the image's files read by exporting a container (\`docker export\`, as the check did before) | ${seconds(exported)} | |`,
      `| the image's files and layers read from \`docker save\` (as the check does now) | ${seconds(saved)} | |`,
      `| what reading the layers adds to the check (the second less the first) | ${added.toFixed(2)} s | at most 2 s: ${added <= 2 ? "met" : "not met"} |`,
      `| \`course check 3\` with the image built (cached), start to report | ${seconds(checks)} | |`,
    ].join("\n"),
  );
} finally {
  await rm(state, { recursive: true, force: true });
  await docker
    .getImage(TAG)
    .remove({ noprune: true })
    .catch(() => undefined);
}
