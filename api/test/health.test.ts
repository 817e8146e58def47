import assert from "node:assert/strict";
import { test } from "node:test";
import { build } from "./helper.js";

test("GET /healthz says ok", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/healthz" });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: "ok" });
});

test("an unknown route is a 404 in JSON", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/nothing-here" });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers["content-type"]), /application\/json/);
  assert.equal(res.json<{ error: string }>().error, "Not Found");
});
