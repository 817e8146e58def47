import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { ImageIndex } from "../src/contract.ts";
import { imageUrl, ROOM_ROUTES } from "../src/contract.ts";
import { indexArchives, parseRange } from "../src/images.ts";
import { build, tempDir } from "./helper.ts";

test("the archives are indexed once with size and sha256, with progress lines", async (t) => {
  const dir = tempDir(t);
  const content = Buffer.alloc(3 * 1024 * 1024, 7);
  writeFileSync(join(dir, "class images.tar"), content);
  const lines: string[] = [];
  const archives = await indexArchives([join(dir, "class images.tar")], (line) => lines.push(line));
  const { app } = await build(t, { archives });
  const index = (await app.inject({ url: ROOM_ROUTES.images })).json<ImageIndex>();
  assert.deepEqual(index.archives, [
    {
      name: "class images.tar",
      size: content.length,
      sha256: createHash("sha256").update(content).digest("hex"),
    },
  ]);
  assert.ok(lines.length >= 2 && lines.at(-1)?.endsWith("100%"), lines.join("\n"));
  await assert.rejects(indexArchives([join(dir, "missing.tar")]), /No image archive at/);
  // A folder stands for the files in it.
  assert.deepEqual(
    (await indexArchives([dir])).map((a) => a.name),
    ["class images.tar"],
  );
});

test("an archive is served whole, or from a byte range (206) to resume a download", async (t) => {
  const dir = tempDir(t);
  const content = Buffer.from("0123456789abcdefghij");
  writeFileSync(join(dir, "class.tar"), content);
  const { app } = await build(t, { archives: await indexArchives([join(dir, "class.tar")]) });
  const whole = await app.inject({ url: imageUrl("class.tar") });
  assert.equal(whole.statusCode, 200);
  assert.equal(whole.body, content.toString());
  assert.equal(whole.headers["accept-ranges"], "bytes");
  const etag = String(whole.headers.etag);

  const rest = await app.inject({
    url: imageUrl("class.tar"),
    headers: { range: "bytes=10-", "if-range": etag },
  });
  assert.equal(rest.statusCode, 206);
  assert.equal(rest.body, "abcdefghij");
  assert.equal(rest.headers["content-range"], "bytes 10-19/20");
  assert.equal(rest.headers["content-length"], "10");

  const tail = await app.inject({ url: imageUrl("class.tar"), headers: { range: "bytes=-3" } });
  assert.equal(tail.body, "hij");
  const changed = await app.inject({
    url: imageUrl("class.tar"),
    headers: { range: "bytes=10-", "if-range": '"other"' },
  });
  assert.equal(changed.statusCode, 200, "a changed archive is sent whole");
  const head = await app.inject({ method: "HEAD", url: imageUrl("class.tar") });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers["content-length"], "20");
});

test("ranges: what a resuming client sends, and what cannot be served", () => {
  assert.deepEqual(parseRange("bytes=0-4", 10), { start: 0, end: 4 });
  assert.deepEqual(parseRange("bytes=5-100", 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange("bytes=-20", 10), { start: 0, end: 9 });
  assert.equal(parseRange(undefined, 10), undefined);
  for (const bad of ["bytes=10-", "bytes=4-2", "bytes=-", "bytes=0-1,3-4", "bytes=-0"])
    assert.equal(parseRange(bad, 10), "unsatisfiable", bad);
});
