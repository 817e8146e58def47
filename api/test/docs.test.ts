import assert from "node:assert/strict";
import { test } from "node:test";
import { build } from "./helper.js";

test("GET /docs serves Swagger UI as HTML", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/docs" });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /text\/html/);
  assert.match(res.body, /swagger/i);
});

test("GET /docs/json is an OpenAPI 3 document listing every route", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/docs/json" });
  assert.equal(res.statusCode, 200);
  const spec = res.json<{ openapi: string; paths: Record<string, unknown> }>();
  assert.match(spec.openapi, /^3\./);
  assert.deepEqual(Object.keys(spec.paths).sort(), [
    "/healthz",
    "/images",
    "/images/compare",
    "/images/{name}",
  ]);
});

test("GET / redirects to /docs", async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: "/" });
  assert.equal(res.statusCode, 302);
  assert.equal(res.headers.location, "/docs");
});
