import assert from "node:assert/strict";
import { test } from "node:test";
import { docker, needsDocker } from "../../../test/containers/docker.ts";
import { scanTar } from "../src/facts/filesystem.ts";
import { readImage } from "../src/facts/layers-read.ts";
import { npmShipped } from "../src/facts/layers.ts";
import { needsOfflineBases } from "./helper.ts";

// The layers as this engine saves them: laid over each other they are the filesystem a container
// of the image sees (as `docker export` gives it), and npm is found in the layer that wrote it.

/** What the engine adds to every container, not part of the image. */
const CONTAINER_ONLY = new Set([
  "/.dockerenv",
  "/etc/mtab",
  "/etc/hosts",
  "/etc/hostname",
  "/etc/resolv.conf",
  "/dev",
  "/proc",
  "/sys",
]);
const ours = (path: string) =>
  ![...CONTAINER_ONLY].some((p) => path === p || path.startsWith(`${p}/`));

test("the build base's layers flattened are its container's filesystem; npm is in one layer", async (t) => {
  if (!(await needsDocker(t))) return;
  const bases = needsOfflineBases(t);
  if (bases === undefined) return;
  const image = bases.BUILD_IMAGE;
  const { fs, layers } = await readImage(image, "/");

  const container = await docker.createContainer({ Image: image, Labels: { "course.check": "1" } });
  let exported;
  try {
    exported = await scanTar(await container.export());
  } finally {
    await container.remove({ force: true });
  }
  const listing = (entries: typeof fs.entries) =>
    [...entries]
      .filter(([path]) => ours(path))
      .map(
        ([path, e]) =>
          `${path} ${e.type} ${e.mode.toString(8)} ${String(e.uid)}:${String(e.gid)} ${e.target ?? ""}`,
      )
      .sort();
  assert.deepEqual(listing(fs.entries), listing(exported.entries));
  assert.deepEqual(
    [...fs.contents].filter(([path]) => ours(path)).sort(),
    [...exported.contents].filter(([path]) => ours(path)).sort(),
  );

  const npm = npmShipped(layers).find((s) => s.path === "/usr/local/lib/node_modules/npm");
  assert.ok(npm, "a layer holds npm");
  assert.ok(npm.bytes > 1_000_000, `npm's bytes: ${String(npm.bytes)}`);
  assert.equal(npm.deletedBy, undefined);
  assert.match(layers[npm.layer]?.createdBy ?? "", /npm/, "the layer's instruction names npm");
});
