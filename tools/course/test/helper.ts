import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { docker, root } from "../../../test/containers/docker.ts";

// Runs the course command as a trainee would, and reads its verdict back from the printed report.

export const fixture = (name: string) => join("tools/course/test/fixtures", name);

/** A config folder no test creates: no room joined, nothing to send. */
const noRoomJoined = join(tmpdir(), `course-test-config-${String(process.pid)}`);

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
        env: {
          ...process.env,
          NO_COLOR: "1",
          INIT_CWD: root,
          // A room the developer joined never gets the tests' reports: only the one a test joins.
          COURSE_CONFIG_DIR: process.env.COURSE_CONFIG_DIR ?? noRoomJoined,
          ...options.env,
        },
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
  // Images built for a service the file names no image for (compose calls them
  // <project>-<service>); images the file names are the trainee's, and stay.
  const images = await docker.listImages({ filters: { label: [project] } });
  const unnamed = (image: (typeof images)[number]) =>
    (image.RepoTags ?? []).every(
      (tag) => tag === "<none>:<none>" || tag.startsWith(`${image.Labels[project] ?? ""}-`),
    );
  return [
    ...containers.filter((c) => ours(c.Labels)).map((c) => `container ${c.Names.join(",")}`),
    ...networks.filter((n) => ours(n.Labels)).map((n) => `network ${n.Name}`),
    ...volumes.filter((v) => ours(v.Labels)).map((v) => `volume ${v.Name}`),
    ...images
      .filter((i) => ours(i.Labels) && unnamed(i))
      .map((i) => `image ${(i.RepoTags ?? []).join(",") || i.Id}`),
  ];
}

/**
 * Variables of CI's environment that some tests need (the offline bases, the second engine): all
 * set, or the test is skipped with the reason, a failure when COURSE_REQUIRE_DOCKER=1 (CI sets them).
 */
function needsVariables<Name extends string>(
  t: TestContext,
  names: readonly Name[],
  what: string,
): Record<Name, string> | undefined {
  const values = names.map((name) => process.env[name]);
  if (values.every(Boolean))
    return Object.fromEntries(names.map((n, i) => [n, values[i]])) as Record<Name, string>;
  assert.notEqual(process.env.COURSE_REQUIRE_DOCKER, "1", `CI sets ${names.join(" and ")}`);
  t.skip(`${names.join(" and ")} name no ${what}`);
  return undefined;
}

/** The offline bases that some tests build on. */
export const needsOfflineBases = (t: TestContext) =>
  needsVariables(t, ["BUILD_IMAGE", "DISTROLESS_IMAGE"], "offline bases");

/** The local registry and the containerd-store engine that .ci/containerd-store.sh starts. */
export const needsSecondEngine = (t: TestContext) =>
  needsVariables(
    t,
    ["COURSE_REGISTRY", "COURSE_CONTAINERD_HOST"],
    "local registry and containerd-store engine (.ci/containerd-store.sh)",
  );
