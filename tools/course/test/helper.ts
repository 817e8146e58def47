import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { docker, root } from "../../../test/containers/docker.ts";

// Runs the course command as a trainee would, and reads its verdict back from the printed report.

export const fixture = (name: string) => join("tools/course/test/fixtures", name);

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function course(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    onSpawn?: (kill: (signal: NodeJS.Signals) => void) => void;
  } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tools/course/src/main.ts", ...args],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1", INIT_CWD: root, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.((signal) => child.kill(signal));
  });
}

/** A results directory of its own (.course/ stays untouched), removed after the test. */
export function stateDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "course-state-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** The printed report: from its "Exercise N:" heading to the end. */
export function reportOf(stdout: string): string {
  const start = stdout.search(/^Exercise \d:/m);
  return start < 0 ? "" : stdout.slice(start);
}

export function failedIds(stdout: string): string[] {
  return [...reportOf(stdout).matchAll(/^ {2}✖ (\S+)/gm)].map((m) => m[1] ?? "");
}

/** What is printed under a failed check, up to the next check. */
function blockOf(stdout: string, id: string): string {
  const report = reportOf(stdout);
  return report.slice(report.indexOf(`✖ ${id} `)).split(/\n {2}[✔✖] /)[0] ?? "";
}

/** The found line printed under a failed check, joined across its wrapped lines. */
export function foundOf(stdout: string, id: string): string {
  const found = /\bfound {5}([\s\S]*?)\n\s+expected /.exec(blockOf(stdout, id))?.[1] ?? "";
  return found.replace(/\s+/g, " ").trim();
}

/** The hint printed under a failed check, joined across its wrapped lines. */
export function hintOf(stdout: string, id: string): string {
  const block = blockOf(stdout, id);
  const hint = /\bhint {6}([\s\S]*)/.exec(block)?.[1] ?? "";
  return hint.replace(/\s+/g, " ").trim();
}

export async function leftovers(label = "course.check=1") {
  return docker.listContainers({ all: true, filters: { label: [label] } });
}

/** Containers, networks and volumes of compose projects whose name starts with the prefix. */
export async function composeLeftovers(prefix: string) {
  const project = "com.docker.compose.project";
  const ours = (labels: Record<string, string> | null | undefined) =>
    labels?.[project]?.startsWith(prefix) === true;
  const containers = await docker.listContainers({ all: true, filters: { label: [project] } });
  const networks = await docker.listNetworks({ filters: { label: [project] } });
  const { Volumes: volumes } = await docker.listVolumes({ filters: { label: [project] } });
  return [
    ...containers.filter((c) => ours(c.Labels)).map((c) => `container ${c.Names.join(",")}`),
    ...networks.filter((n) => ours(n.Labels)).map((n) => `network ${n.Name}`),
    ...volumes.filter((v) => ours(v.Labels)).map((v) => `volume ${v.Name}`),
  ];
}

/**
 * The offline bases (BUILD_IMAGE, DISTROLESS_IMAGE) that some tests build on: skipped with the
 * reason when the environment names none, a failure when COURSE_REQUIRE_DOCKER=1 (CI names them).
 */
export function needsOfflineBases(
  t: TestContext,
): { BUILD_IMAGE: string; DISTROLESS_IMAGE: string } | undefined {
  const { BUILD_IMAGE, DISTROLESS_IMAGE } = process.env;
  if (BUILD_IMAGE && DISTROLESS_IMAGE) return { BUILD_IMAGE, DISTROLESS_IMAGE };
  assert.notEqual(
    process.env.COURSE_REQUIRE_DOCKER,
    "1",
    "CI sets BUILD_IMAGE and DISTROLESS_IMAGE",
  );
  t.skip("BUILD_IMAGE and DISTROLESS_IMAGE name no offline bases");
  return undefined;
}
