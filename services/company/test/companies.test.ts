import assert from "node:assert/strict";
import { test } from "node:test";
import { companies as seed } from "@course/data";
import { build, startCosmos, testEnv } from "@course/testing";
import * as company from "../src/app.ts";

const acme = { name: "Acme Corp", industry: "Anvils", country: "US", founded: 1949 };

test("company service", async (t) => {
  const cosmos = await startCosmos(t);
  const app = await build(t, company, testEnv(cosmos.endpoint));

  await t.test("lists the seed companies", async () => {
    const response = await app.inject("/companies");
    assert.equal(response.statusCode, 200);
    const listed = response.json<{ id: string }[]>();
    assert.deepEqual(new Set(listed.map((c) => c.id)), new Set(seed.map((c) => c.id)));
    assert.deepEqual(
      listed.find((c) => c.id === "northwind"),
      seed.find((c) => c.id === "northwind"),
    );
  });

  await t.test("gets one company with an ETag", async () => {
    const response = await app.inject("/companies/contoso");
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      response.json(),
      seed.find((c) => c.id === "contoso"),
    );
    assert.match(String(response.headers.etag), /^"[^"]+"$/);
  });

  await t.test("creates, replaces with If-Match, refuses a stale ETag, deletes", async () => {
    const created = await app.inject({ method: "POST", url: "/companies", payload: acme });
    assert.equal(created.statusCode, 201);
    const { id } = created.json<{ id: string }>();
    assert.equal(created.headers.location, `/companies/${id}`);
    const etag = String(created.headers.etag);

    const url = `/companies/${id}`;
    const renamed = { ...acme, name: "Acme Corporation" };
    const replaced = await app.inject({
      method: "PUT",
      url,
      payload: renamed,
      headers: { "if-match": etag },
    });
    assert.equal(replaced.statusCode, 200);
    assert.deepEqual(replaced.json(), { id, ...renamed });
    assert.notEqual(replaced.headers.etag, etag);

    const stale = await app.inject({
      method: "PUT",
      url,
      payload: acme,
      headers: { "if-match": etag },
    });
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal((await app.inject(url)).json<{ name: string }>().name, "Acme Corporation");

    const staleDelete = await app.inject({ method: "DELETE", url, headers: { "if-match": etag } });
    assert.equal(staleDelete.statusCode, 412);
    const deleted = await app.inject({
      method: "DELETE",
      url,
      headers: { "if-match": String(replaced.headers.etag) },
    });
    assert.equal(deleted.statusCode, 204);
    assert.equal((await app.inject(url)).statusCode, 404);
  });

  await t.test("If-Match as RFC 9110 reads it: a list, weak tags, *", async () => {
    const created = await app.inject({ method: "POST", url: "/companies", payload: acme });
    const url = String(created.headers.location);
    let etag = String(created.headers.etag);
    const put = async (ifMatch: string) => {
      const response = await app.inject({
        method: "PUT",
        url,
        payload: acme,
        headers: { "if-match": ifMatch },
      });
      if (response.statusCode === 200) etag = String(response.headers.etag);
      return response.statusCode;
    };
    // A list matches when any strong tag is the current one, wherever it stands.
    assert.equal(await put(`"old", ${etag}`), 200);
    assert.equal(await put(`${etag}, "old"`), 200);
    assert.equal(await put(`"old", "older"`), 412);
    // A weak tag never matches a change, even the current version's.
    assert.equal(await put(`W/${etag}`), 412);
    assert.equal(await put(`W/${etag}, "old"`), 412);
    assert.equal(await put("*"), 200);
    assert.equal(
      (await app.inject({ method: "DELETE", url, headers: { "if-match": `"old", ${etag}` } }))
        .statusCode,
      204,
    );
  });

  await t.test("answers 404 problems for a missing company", async () => {
    for (const method of ["GET", "PUT", "DELETE"] as const) {
      const response = await app.inject({
        method,
        url: "/companies/nope",
        ...(method === "PUT" ? { payload: acme } : {}),
      });
      assert.equal(response.statusCode, 404, method);
      assert.equal(response.json<{ status: number }>().status, 404);
    }
  });

  await t.test("rejects invalid bodies with 400", async () => {
    const cases = [
      { ...acme, founded: "1949" },
      { ...acme, extra: 1 },
      { name: "x" },
      { ...acme, country: "usa" },
    ];
    for (const payload of cases) {
      const response = await app.inject({ method: "POST", url: "/companies", payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json<{ detail: string }>().detail, /^Invalid body/);
    }
  });
});
