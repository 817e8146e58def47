import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { ImageIndex, ROOM_ROUTES, type ImageArchive } from "@course/room";
import { Value } from "typebox/value";
import { downloadArchive, partialPath } from "../src/commands/images/download.ts";
import { archivesFor } from "../src/commands/images/from-room.ts";
import { openRoom, tempDir } from "./room-helper.ts";

// An archive from the real room's index to a file: whole, resumed from what an interrupted
// download left (only the rest comes over the network), and refused when the bytes are not the
// ones the index's sha256 names.

const SIZE = 3 * 1024 * 1024;

async function servedArchive(t: TestContext) {
  const dir = tempDir(t, "archive");
  const file = join(dir, "class-images.tar");
  const bytes = randomBytes(SIZE);
  writeFileSync(file, bytes);
  const room = await openRoom(t, { images: [file] });
  const index: unknown = await (await fetch(`${room.address}${ROOM_ROUTES.images}`)).json();
  assert.ok(Value.Check(ImageIndex, index));
  const archive = index.archives[0] as ImageArchive;
  return { room, archive, bytes, downloads: tempDir(t, "downloads") };
}

test("a whole download: the bytes the room serves, under the archive's name", async (t) => {
  const { room, archive, bytes, downloads } = await servedArchive(t);
  assert.equal(archive.size, SIZE);
  let last = 0;
  const download = await downloadArchive(room.address, archive, downloads, (done) => (last = done));
  assert.deepEqual(download, {
    path: join(downloads, archive.name),
    resumedFrom: 0,
    received: SIZE,
  });
  assert.equal(last, SIZE);
  assert.ok(readFileSync(download.path).equals(bytes));
  // Already there and verified: nothing comes over the network again.
  const again = await downloadArchive(room.address, archive, downloads);
  assert.equal(again.received, 0);
});

test("an interrupted download resumes: only the missing bytes are asked for (HTTP Range)", async (t) => {
  const { room, archive, bytes, downloads } = await servedArchive(t);
  const cut = 1_234_567;
  writeFileSync(partialPath(downloads, archive), bytes.subarray(0, cut));
  const download = await downloadArchive(room.address, archive, downloads);
  assert.equal(download.resumedFrom, cut);
  assert.equal(download.received, SIZE - cut);
  assert.ok(readFileSync(download.path).equals(bytes));
  assert.ok(!existsSync(partialPath(downloads, archive)));
});

test("bytes that do not match the index's sha256 are refused, deleted and never loaded", async (t) => {
  const { room, archive, downloads } = await servedArchive(t);
  // What an earlier download left is damaged: the resumed whole cannot hash to the index's sha256.
  writeFileSync(partialPath(downloads, archive), randomBytes(1000));
  await assert.rejects(
    downloadArchive(room.address, archive, downloads),
    /class-images\.tar is not what the room's index says .*: it was deleted and not loaded/,
  );
  assert.ok(!existsSync(partialPath(downloads, archive)));
  assert.ok(!existsSync(join(downloads, archive.name)));
  // The next run starts over and gets the right bytes.
  const download = await downloadArchive(room.address, archive, downloads);
  assert.equal(download.resumedFrom, 0);
});

test("the archives for a platform: those that name it and those that name none", () => {
  const archive = (name: string, platforms?: string[]) => ({
    name,
    size: 1,
    sha256: "0".repeat(64),
    ...(platforms ? { platforms } : {}),
  });
  const archives = [
    archive("all.tar"),
    archive("amd64.tar", ["linux/amd64"]),
    archive("arm64.tar", ["linux/arm64"]),
  ];
  assert.deepEqual(
    archivesFor(archives, "linux/arm64").map((a) => a.name),
    ["all.tar", "arm64.tar"],
  );
});
