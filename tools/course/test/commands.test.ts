import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DOMParser, onWarningStopParsing } from "@xmldom/xmldom";
import { docker, needsDocker, run } from "../../../test/containers/docker.ts";
import { classImages, imageExists } from "@course/cli";
import { PROJECT_PREFIX } from "../src/facts/compose.ts";
import {
  composeLeftovers,
  course,
  failedIds,
  fixture,
  hintOf,
  needsOfflineBases,
  reportOf,
  stateDir,
} from "./helper.ts";

// doctor, sizes, images and check 5 against the running engine, with the offline bases.

interface Finding {
  id: string;
  status: string;
  detail: string;
  advice?: string;
}

test("doctor: the running engine, its version and the rest, one finding per line", async (t) => {
  if (!(await needsDocker(t))) return;
  const result = await course(["doctor", "--offline", "--json"]);
  const report = JSON.parse(result.stdout) as { ok: boolean; findings: Finding[] };
  const byId = new Map(report.findings.map((f) => [f.id, f]));
  assert.deepEqual(
    [...byId.keys()],
    ["engine", "compose", "buildx", "arch", "disk", "ports", "hub", "images"],
  );
  const version = (await docker.version()).Version;
  assert.equal(byId.get("engine")?.status, "ok");
  assert.ok(byId.get("engine")?.detail.startsWith(version));
  assert.equal(byId.get("compose")?.status, "ok");
  assert.equal(byId.get("hub")?.detail, "skipped: --offline");
  for (const finding of report.findings)
    if (finding.status === "fail") assert.ok(finding.advice, `${finding.id} says what to do`);
  assert.equal(result.code, report.ok ? 0 : 1);

  const text = await course(["doctor", "--offline"]);
  assert.match(text.stdout, new RegExp(`✔ Docker engine +${version.replace(/[.+]/g, "\\$&")}`));

  // The day's images (the offline stand-ins count for the bases they replace): with --offline,
  // Docker Hub's pulls are unknown, so one missing image means not ready, and how to fix it.
  const missing: string[] = [];
  for (const image of classImages()) if (!(await imageExists(image))) missing.push(image);
  const images = byId.get("images");
  assert.ok(images);
  if (missing.length === 0) {
    assert.equal(images.status, "ok");
    return;
  }
  assert.equal(images.status, "fail");
  for (const image of missing) assert.ok(images.detail.includes(image), `${image} is named`);
  assert.match(images.advice ?? "", /`npx course images load <archive>`/);
  assert.match(
    images.advice ?? "",
    new RegExp(`${String(missing.length)} images? = ${String(missing.length)} pulls?`),
  );
  assert.equal(report.ok, false);
  assert.equal(result.code, 1);
  assert.match(text.stdout, /✖ Class images/);
  assert.doesNotMatch(text.stdout, /Ready\./);
  assert.equal(text.code, 1);
});

test("sizes --offline: a table sorted by size and an SVG chart of the same rows", async (t) => {
  if (!(await needsDocker(t))) return;
  const bases = needsOfflineBases(t);
  if (bases === undefined) return;
  const out = mkdtempSync(join(tmpdir(), "course-sizes-"));
  t.after(() => {
    rmSync(out, { recursive: true, force: true });
  });
  const result = await course(["sizes", "--offline", "--out", out], {
    env: { COURSE_STATE_DIR: stateDir(t) },
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /Offline: the bases are local stand-ins/);

  const table = result.stdout.slice(result.stdout.indexOf("SIZE  IMAGE")).split("\n\n")[0] ?? "";
  const rows = table
    .split("\n")
    .slice(1)
    .map((line) => /^\s*([\d.]+) (MB|GB)\s{2}(.+?)\s{2,}/.exec(line))
    .map((m) => ({ mb: Number(m?.[1]) * (m?.[2] === "GB" ? 1000 : 1), name: m?.[3] ?? "" }));
  const names = rows.map((r) => r.name);
  for (const expected of [
    bases.BUILD_IMAGE,
    bases.DISTROLESS_IMAGE,
    "api, one stage",
    "api, multi-stage",
    "company (distroless)",
    "department (distroless)",
    "employee (distroless)",
    "cosmosdb (distroless)",
  ])
    assert.ok(names.includes(expected), `${expected} in the table:\n${table}`);
  const sizes = rows.map((r) => r.mb);
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
    "sorted by size, largest first",
  );

  // Any warning or error stops the parse: the chart must be well-formed.
  const svg = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    readFileSync(join(out, "sizes.svg"), "utf8"),
    "image/svg+xml",
  );
  assert.equal(svg.documentElement?.tagName, "svg");
  const groups = Array.from(svg.getElementsByTagName("g")).filter(
    (g) => g.getAttribute("class") === "row",
  );
  assert.deepEqual(
    groups.map((g) => g.getAttribute("data-name")),
    names,
    "the chart has the table's rows, in its order",
  );
  const bars = groups.map((g) => {
    const bar = Array.from(g.getElementsByTagName("rect")).find(
      (rect) => rect.getAttribute("class") === "bar",
    );
    return { width: Number(bar?.getAttribute("width")), size: Number(g.getAttribute("data-size")) };
  });
  const [largest] = bars;
  for (const bar of bars) {
    const expected = ((largest?.width ?? 0) * bar.size) / (largest?.size ?? 1);
    assert.ok(Math.abs(bar.width - expected) <= 2, "bar widths are proportional to sizes");
  }
  assert.match(
    readFileSync(join(out, "sizes.md"), "utf8"),
    /!\[Image sizes, as a bar chart\]\(sizes\.svg\)/,
  );
});

test("images save, then load: one archive, with progress", async (t) => {
  if (!(await needsDocker(t))) return;
  const tag = "course-test/tiny:1";
  await run("docker", ["build", "-t", tag, "--label", "course.check=1", fixture("tiny")]);
  const dir = mkdtempSync(join(tmpdir(), "course-images-"));
  t.after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await docker
      .getImage(tag)
      .remove()
      .catch(() => undefined);
  });
  const archive = join(dir, "class-images.tar.gz");

  const saved = await course(["images", "save", archive, "--no-pull", "--image", tag]);
  assert.equal(saved.code, 0, saved.stdout + saved.stderr);
  assert.match(saved.stdout, /\[█+\] 100%/);
  assert.ok(existsSync(archive));

  await docker.getImage(tag).remove();
  const loaded = await course(["images", "load", archive]);
  assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
  assert.match(loaded.stdout, /course-test\/tiny:1/);
  await docker.getImage(tag).inspect();

  const missing = await course(["images", "load", join(dir, "nothing.tar")]);
  assert.equal(missing.code, 2);
});

test("check 5: the reference answer's stack starts healthy and serves the seed employees", async (t) => {
  if (!(await needsDocker(t))) return;
  const result = await course([
    "check",
    "5",
    "--file",
    "solutions/05-compose-employees/compose.yaml",
  ]);
  assert.deepEqual(await composeLeftovers(PROJECT_PREFIX), [], "compose down removed the stack");
  assert.equal(result.code, 0, reportOf(result.stdout) || result.stdout + result.stderr);
  assert.match(reportOf(result.stdout), /✔ employees-route +the seed employees of /);
});

test("check 5: a compose file without the employee service fails before starting anything", async (t) => {
  if (!(await needsDocker(t))) return;
  const result = await course(["check", "5", "--file", fixture("compose-no-employee.yaml")]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.deepEqual(failedIds(result.stdout), ["employee-service"]);
  assert.match(hintOf(result.stdout, "employee-service"), /adds one service of its own/);
  assert.deepEqual(await composeLeftovers(PROJECT_PREFIX), []);
});
