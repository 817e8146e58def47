import assert from "node:assert/strict";
import { test } from "node:test";
import { build } from "./helper.js";

test("GET /images lists images, smallest first", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/images" });
  assert.equal(res.statusCode, 200);
  const sizes = res.json<{ sizeMb: number }[]>().map((image) => image.sizeMb);
  assert.ok(sizes.length >= 5);
  assert.deepEqual(
    sizes,
    [...sizes].sort((x, y) => x - y),
  );
});

test("GET /images?maxSizeMb= filters by size", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/images?maxSizeMb=10" });
  assert.equal(res.statusCode, 200);
  assert.ok(res.json<{ sizeMb: number }[]>().every((image) => image.sizeMb <= 10));
  assert.equal((await app.inject({ url: "/images?maxSizeMb=big" })).statusCode, 400);
});

test("GET /images/:name returns one image", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/images/alpine" });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json<{ reference: string }>().reference, "alpine:3.24");
});

test("GET /images/:name answers 404 as JSON for an unknown image", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/images/windows" });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers["content-type"]), /application\/json/);
  assert.match(res.json<{ message: string }>().message, /windows/);
});

test("GET /images/compare compares two images", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/images/compare?a=node&b=alpine" });
  assert.equal(res.statusCode, 200);
  const body = res.json<{ smaller: string; differenceMb: number; summary: string }>();
  assert.equal(body.smaller, "alpine");
  assert.ok(body.differenceMb > 1000);
  assert.match(body.summary, /^alpine is \d+ MB smaller than node$/);
});

test("GET /images/compare needs both images to exist", async (t) => {
  const app = await build(t);
  assert.equal((await app.inject({ url: "/images/compare?a=node&b=nope" })).statusCode, 404);
  assert.equal((await app.inject({ url: "/images/compare?a=node" })).statusCode, 400);
});
