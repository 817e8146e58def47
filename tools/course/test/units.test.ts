import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { DOMParser, onWarningStopParsing } from "@xmldom/xmldom";
import { pack } from "tar-stream";
import { buildHint, firstError } from "../src/lib/build.ts";
import { renderSvg, renderTable, type SizeRow } from "../src/commands/sizes/chart.ts";
import { builtFolders, readStages } from "../src/facts/dockerfile.ts";
import type { ImageConfig } from "../src/facts/image-types.ts";
import { analyseCommand, APK_DATABASE, parseApkInstalled } from "../src/facts/parsers.ts";
import { readText, resolvePath, scanTar } from "../src/facts/filesystem.ts";
import { progressBar } from "../src/lib/format.ts";
import { demultiplex } from "../src/facts/probe.ts";

// The pieces of the course command that need no Docker engine.

async function tarOf(
  entries: {
    name: string;
    type?: "directory" | "symlink";
    body?: string;
    linkname?: string;
    mode?: number;
  }[],
) {
  const archive = pack();
  for (const entry of entries) {
    archive.entry(
      {
        name: entry.name,
        type: entry.type ?? "file",
        mode: entry.mode ?? 0o644,
        ...(entry.linkname ? { linkname: entry.linkname } : {}),
      },
      entry.body ?? "",
    );
  }
  archive.finalize();
  return scanTar(Readable.from(archive));
}

test("scanTar keeps every entry and the text of the files the checks read", async () => {
  const fs = await tarOf([
    { name: "etc/", type: "directory", mode: 0o755 },
    { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
    { name: "usr/", type: "directory" },
    { name: "usr/lib/", type: "directory" },
    { name: "usr/lib/os-release", body: "ID=alpine\n" },
    { name: "usr/bin/", type: "directory" },
    { name: "bin", type: "symlink", linkname: "usr/bin" },
    { name: "usr/bin/node", mode: 0o755, body: "ELF" },
    { name: "app/secret.txt", body: "not read" },
  ]);
  assert.equal(fs.entries.get("/etc/os-release")?.type, "symlink");
  assert.equal(fs.contents.get("/usr/lib/os-release"), "ID=alpine\n");
  assert.equal(fs.contents.has("/app/secret.txt"), false);
  assert.equal(resolvePath(fs, "/etc/os-release"), "/usr/lib/os-release");
  assert.equal(resolvePath(fs, "/bin/node"), "/usr/bin/node");
  assert.equal(resolvePath(fs, "/bin/npm"), undefined);
  assert.equal(fs.entries.get("/usr/bin/node")?.mode, 0o755);
});

test("symlink loops do not hang", async () => {
  const fs = await tarOf([
    { name: "a", type: "symlink", linkname: "b" },
    { name: "b", type: "symlink", linkname: "a" },
  ]);
  assert.equal(resolvePath(fs, "/a"), undefined);
});

test("the command is found after entry-point wrappers, in exec and shell form", async () => {
  const fs = await tarOf([
    { name: "usr/local/bin/docker-entrypoint.sh", mode: 0o755 },
    { name: "app/node_modules/.bin/fastify", type: "symlink", linkname: "../fastify-cli/cli.js" },
    { name: "app/node_modules/fastify-cli/cli.js", mode: 0o755 },
  ]);
  const config = (
    cmd: string[],
    entrypoint: string[] = [],
    path = "/app/node_modules/.bin:/usr/local/bin",
  ): ImageConfig => ({
    env: [`PATH=${path}`],
    cmd,
    entrypoint,
    user: "",
    workingDir: "/app",
  });
  const wrapped = analyseCommand(fs, config(["fastify", "start"], ["docker-entrypoint.sh"]));
  assert.deepEqual(
    [wrapped.program, wrapped.resolved, wrapped.launcher, wrapped.shellForm],
    ["fastify", "/app/node_modules/.bin/fastify", true, false],
  );
  const shell = analyseCommand(fs, config(["/bin/sh", "-c", "exec fastify start -a 0.0.0.0"]));
  assert.deepEqual([shell.program, shell.shellForm, shell.launcher], ["fastify", true, true]);
  const tini = analyseCommand(fs, config(["node", "dist/server.js"], ["/sbin/tini", "--"]));
  assert.deepEqual([tini.program, tini.launcher], ["node", false]);
  const lost = analyseCommand(fs, config(["fastify", "start"], [], "/usr/local/bin"));
  assert.deepEqual([lost.resolved, lost.launcher], [undefined, true]);
});

test("stages are counted with ARG defaults and build args applied", () => {
  const text = [
    "ARG BUILD_IMAGE=node:24-trixie-slim",
    "FROM ${BUILD_IMAGE} AS build",
    "RUN true",
    "FROM alpine:3.24",
    "COPY --from=build /app /app",
  ].join("\n");
  assert.deepEqual(readStages(text), {
    count: 2,
    list: [
      { name: "build", from: "node:24-trixie-slim" },
      { name: "stage 2", from: "alpine:3.24" },
    ],
  });
  assert.equal(readStages(text, { BUILD_IMAGE: "mirror/node:24" }).list[0]?.from, "mirror/node:24");
});

const buildLog = (step: string, lines: string[], error: string) =>
  [
    "#1 [internal] load build definition from Dockerfile",
    "#1 DONE 0.0s",
    `#7 ${step}`,
    ...lines.map((line) => `#7 0.912 ${line}`),
    `#7 ERROR: ${error}`,
    "------",
    ` > ${step}:`,
    "------",
    `ERROR: failed to solve: ${error}`,
  ].join("\n");

test("a failed build names its step and first error, with a hint for the classic mistakes", () => {
  const cases: [string, string[], RegExp, RegExp][] = [
    [
      "[2/4] RUN npm ci",
      [
        "npm error code EUSAGE",
        "npm error",
        "npm error The `npm ci` command can only install with an existing package-lock.json or",
      ],
      /RUN npm ci: npm error The `npm ci` command/,
      /lockfile/,
    ],
    ["[2/6] RUN npm ci", ["/bin/sh: 1: npm: not found"], /npm: not found/, /command not found/],
    [
      "[5/7] RUN npm ci",
      [
        "npm error code EACCES",
        "npm error syscall mkdir",
        "npm error path /app/node_modules",
        "npm error Error: EACCES: permission denied, mkdir '/app/node_modules'",
      ],
      /permission denied, mkdir/,
      /who owns the folder/,
    ],
    [
      "[3/5] RUN useradd --system app",
      ["/bin/sh: 1: useradd: not found"],
      /useradd: not found/,
      /Each distribution has its own tools/,
    ],
    [
      "[stage-1 2/4] COPY --from=build /app/dist/ dist/",
      [],
      /failed to compute cache key/,
      /build context/,
    ],
  ];
  for (const [step, lines, found, hint] of cases) {
    const error = lines.length
      ? 'process "/bin/sh -c …" did not complete successfully: exit code: 1'
      : 'failed to compute cache key: "/app/dist": not found';
    const log = buildLog(step, lines, error);
    assert.match(firstError(log), found, step);
    assert.match(buildHint(log), hint, step);
  }
});

const rows: SizeRow[] = [
  { name: "node:24", size: 1_130_000_000, kind: "base" },
  { name: 'api <&> "one"', size: 320_000_000, kind: "exercise", note: "escaped" },
  { name: "company (distroless)", size: 147_000_000, kind: "service" },
];

test("the size chart is well-formed SVG, sorted, with bars in proportion", () => {
  const markup = renderSvg(rows.toReversed(), "Image sizes", ["a note & more"]);
  // The parser is lenient about a bare &, so that one is looked for in the text.
  assert.doesNotMatch(markup, /&(?!#\d+;)/);
  // Any warning or error stops the parse: the chart must be well-formed.
  const svg = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    markup,
    "image/svg+xml",
  );
  const groups = Array.from(svg.getElementsByTagName("g"));
  assert.deepEqual(
    groups.map((g) => g.getAttribute("data-name")),
    rows.map((row) => row.name),
  );
  const widths = groups.map((g) => {
    const rects = Array.from(g.getElementsByTagName("rect"));
    return Number(
      rects.find((rect) => rect.getAttribute("class") === "bar")?.getAttribute("width"),
    );
  });
  assert.equal(widths[0], 440);
  assert.equal(widths[2], Math.round((147 / 1130) * 440));
  assert.match(renderTable(rows), /^\s+SIZE {2}IMAGE[^\n]*\n\s+1\.13 GB {2}node:24 /);
});

test("docker logs frames are taken apart; plain text passes through", () => {
  const frame = (stream: number, text: string) => {
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([header, Buffer.from(text)]);
  };
  assert.equal(demultiplex(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")])), "out\nerr\n");
  assert.equal(demultiplex(Buffer.from("plain\n")), "plain\n");
});

test("the progress bar fills with the bytes done", () => {
  assert.match(progressBar(0, 200_000_000), /^\[░{30}\] +0% {2}0\.0 MB of 200 MB$/);
  assert.match(progressBar(100_000_000, 200_000_000), /^\[█{15}░{15}\] +50%/);
  assert.match(progressBar(300, 200), /^\[█{30}\] 100%/);
});

test("a /usr-merged Alpine: the package database is read through the /lib link", async () => {
  const fs = await tarOf([
    { name: "lib", type: "symlink", linkname: "usr/lib" },
    { name: "usr/", type: "directory" },
    { name: "usr/lib/", type: "directory" },
    {
      name: "usr/lib/apk/db/installed",
      body: "C:Q1x\nP:musl\nV:1.2.5\n\nC:Q1y\nP:nodejs\nV:24.11.0\n",
    },
  ]);
  assert.equal(resolvePath(fs, APK_DATABASE), "/usr/lib/apk/db/installed");
  assert.deepEqual(parseApkInstalled(readText(fs, APK_DATABASE)), ["musl", "nodejs"]);
});

test("a service Dockerfile's built folders: sources, workspace and bundle", () => {
  const text = readFileSync(join(import.meta.dirname, "fixtures/ex5/employee/Dockerfile"), "utf8");
  assert.deepEqual(builtFolders(text), ["services/employee"]);
  const half = text.replace(
    "COPY services/employee/ services/employee/",
    "COPY services/department/ services/department/",
  );
  assert.deepEqual(builtFolders(half), ["services/department", "services/employee"]);
});
