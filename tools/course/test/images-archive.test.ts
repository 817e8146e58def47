import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  compatManifest,
  describeArchive,
  platformsOf,
  readArchive,
  withManifest,
  type ArchiveFiles,
} from "../src/commands/images/archive.ts";
import { lacking, planLoad, planSave } from "../src/commands/images/plan.ts";
import type { EngineFacts } from "../src/lib/engine.ts";
import { parsePlatform, type Platform } from "../src/lib/platform.ts";
import { course } from "./helper.ts";

// What an archive holds, read from its own files, and what save and load decide from it on each
// kind of engine: the decisions are pure, so every engine a trainer or trainee may have is a case.

const amd64: Platform = { os: "linux", architecture: "amd64" };
const arm64: Platform = { os: "linux", architecture: "arm64" };

/** An OCI layout as `docker save` writes it: an index per name, a manifest per platform. */
function layout(
  images: { name: string; platforms: Platform[]; drop?: Platform }[],
  compat?: Platform,
) {
  const files: ArchiveFiles = new Map();
  const put = (content: unknown) => {
    const text = JSON.stringify(content);
    const digest = `sha256:${createHash("sha256").update(text).digest("hex")}`;
    files.set(`blobs/${digest.replace(":", "/")}`, Buffer.from(text));
    return digest;
  };
  const legacy: unknown[] = [];
  const top = images.map(({ name, platforms, drop }) => {
    const manifests = platforms.map((platform) => {
      const config = put({ ...platform, rootfs: { diff_ids: [] }, name });
      const layer = put({ layer: `${name} ${platform.architecture}` });
      if (drop?.architecture === platform.architecture)
        files.delete(`blobs/${layer.replace(":", "/")}`);
      if (compat?.architecture === platform.architecture)
        legacy.push({
          Config: `blobs/${config.replace(":", "/")}`,
          RepoTags: [name],
          Layers: [`blobs/${layer.replace(":", "/")}`],
        });
      const digest = put({ config: { digest: config }, layers: [{ digest: layer }] });
      return { digest, platform };
    });
    const attestation = put({
      config: { digest: put({ os: "unknown", architecture: "unknown" }) },
    });
    const index = put({ manifests: [...manifests, { digest: attestation }] });
    return {
      digest: index,
      mediaType: "application/vnd.oci.image.index.v1+json",
      annotations: { "io.containerd.image.name": `docker.io/library/${name}` },
    };
  });
  files.set("index.json", Buffer.from(JSON.stringify({ manifests: top })));
  if (compat) files.set("manifest.json", Buffer.from(JSON.stringify(legacy)));
  return files;
}

const engine = (over: Partial<EngineFacts> = {}): EngineFacts => ({
  version: "28.5.2",
  api: "1.51",
  platform: amd64,
  store: "containerd",
  ...over,
});

test("an image counts for a platform only when all of its files are in the archive", () => {
  const images = describeArchive(
    layout(
      [
        { name: "node:24-slim", platforms: [amd64, arm64] },
        { name: "alpine:3.24", platforms: [amd64, arm64], drop: arm64 },
      ],
      amd64,
    ),
  );
  assert.deepEqual(
    images.map((i) => [i.name, platformsOf(i)]),
    [
      ["alpine:3.24", ["linux/amd64"]],
      ["node:24-slim", ["linux/amd64", "linux/arm64"]],
    ],
  );
  assert.deepEqual(lacking(images, ["node:24-slim", "alpine:3.24"], [amd64, arm64]), [
    "alpine:3.24 (linux/arm64)",
  ]);
});

test("save: the classic store and APIs before 1.48 are refused with what to do", () => {
  const classic = planSave(engine({ store: "classic" }), [amd64, arm64]);
  assert.match(classic.refuse ?? "", /classic image store.*linux\/arm64.*containerd/);
  assert.match(classic.refuse ?? "", /course images save --platform linux\/amd64 <file>/);
  assert.equal(planSave(engine({ store: "classic" }), [amd64]).refuse, undefined);
  const old = planSave(engine({ api: "1.47", version: "27.5.1" }), [arm64]);
  assert.match(old.refuse ?? "", /27\.5\.1 \(API 1\.47\).*API 1\.48/);
  const pinned = planSave(engine({ api: "1.47", pinnedBelow: "1.51" }), [arm64]);
  assert.match(pinned.refuse ?? "", /DOCKER_API_VERSION=1\.47 .*needs 1\.48.*speaks 1\.51/);
  assert.deepEqual(planSave(engine(), [amd64, arm64]), { perPlatformPulls: true });
  assert.deepEqual(planSave(engine(), [arm64]), { platform: arm64, perPlatformPulls: true });
  assert.equal(parsePlatform("linux"), undefined);
  assert.deepEqual(parsePlatform("linux/arm64/v8"), { ...arm64, variant: "v8" });
});

test("load: outside the list, or without this laptop's platform, nothing is loaded", () => {
  const both = describeArchive(
    layout([{ name: "node:24-slim", platforms: [amd64, arm64] }], amd64),
  );
  const accepted = ["node:24-slim"];
  const outside = planLoad(engine(), "x.tar", both, []);
  assert.match(outside.refuse ?? "", /outside the class's list.*node:24-slim.*Nothing was loaded/);

  const armOnly = describeArchive(layout([{ name: "node:24-slim", platforms: [arm64] }], arm64));
  const refused = planLoad(engine(), "x.tar", armOnly, accepted);
  assert.match(
    refused.refuse ?? "",
    /no linux\/amd64 image .* of node:24-slim; it holds linux\/arm64/,
  );

  assert.deepEqual(planLoad(engine(), "x.tar", both, accepted), {
    names: ["node:24-slim"],
    platform: amd64,
  });
  // A bundle written on an amd64 machine names amd64 in manifest.json, all a classic store reads.
  const onArm = planLoad(engine({ platform: arm64, store: "classic" }), "x.tar", both, accepted);
  assert.equal(onArm.refuse, undefined);
  assert.equal(onArm.manifest, compatManifest(both, arm64));
  const legacy = JSON.parse(onArm.manifest ?? "[]") as { Config: string }[];
  const config = both[0]?.variants.find((v) => v.platform.architecture === "arm64")?.config;
  assert.deepEqual(
    legacy.map((entry) => entry.Config),
    [config],
  );
  const native = planLoad(engine({ store: "classic" }), "x.tar", both, accepted);
  assert.equal(native.refuse === undefined && native.manifest, undefined);
});

test("an archive's manifest.json is replaced, the rest kept byte for byte", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "course-archive-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const files = layout([{ name: "node:24-slim", platforms: [amd64, arm64] }], amd64);
  for (const [name, content] of files) {
    mkdirSync(join(dir, "in", name, ".."), { recursive: true });
    writeFileSync(join(dir, "in", name), content ?? "");
  }
  execFileSync("tar", ["-czf", join(dir, "a.tar.gz"), "-C", join(dir, "in"), "."]);
  const read = await readArchive(join(dir, "a.tar.gz"));
  const images = describeArchive(read);
  assert.deepEqual(images.map(platformsOf), [["linux/amd64", "linux/arm64"]]);

  const manifest = compatManifest(images, arm64);
  const chunks: Buffer[] = [];
  for await (const chunk of await withManifest(join(dir, "a.tar.gz"), manifest))
    chunks.push(chunk as Buffer);
  writeFileSync(join(dir, "b.tar"), Buffer.concat(chunks));
  const rewritten = await readArchive(join(dir, "b.tar"));
  assert.equal(rewritten.get("manifest.json")?.toString(), manifest);
  for (const [name, content] of read)
    if (name !== "manifest.json") assert.deepEqual(rewritten.get(name), content, name);
});

test("images load of a directory, a pipe or a non-archive: one line, status 2", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "course-load-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, "notes.tar"), "not an archive\n");
  execFileSync("mkfifo", [join(dir, "pipe")]);
  for (const [path, message] of [
    [dir, /is a directory/],
    [join(dir, "pipe"), /is not a file/],
    [join(dir, "notes.tar"), /is not an image archive/],
    [join(dir, "absent.tar"), /there is no archive at/],
  ] as const) {
    const result = await course(["images", "load", path], { env: { DOCKER_HOST: "" } });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const lines = result.stderr.split("\n").filter((line) => line && !/^npm warn/.test(line));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? "", message);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, "no stack trace");
  }
});
