import assert from "node:assert/strict";
import { test } from "node:test";
import { departments as seed } from "@course/data";
import * as company from "../../company/src/app.ts";
import { build, DOWN_URL, serve, startCosmos, testEnv } from "@course/testing";
import * as department from "../src/app.ts";

const payload = { name: "Research", location: "Cambridge" };

test("department service", async (t) => {
  const cosmos = await startCosmos(t);
  const env = testEnv(cosmos.endpoint);
  const companyUrl = await serve(t, company, env);
  const app = await build(t, department, env, { company: companyUrl });

  await t.test("lists a company's departments from the seed data", async () => {
    const response = await app.inject("/companies/fabrikam/departments");
    assert.equal(response.statusCode, 200);
    const expected = seed
      .filter((d) => d.companyId === "fabrikam")
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(response.json(), expected);
  });

  await t.test("gets a department only under its own company", async () => {
    const own = await app.inject("/companies/northwind/departments/northwind-sales");
    assert.equal(own.statusCode, 200);
    assert.deepEqual(
      own.json(),
      seed.find((d) => d.id === "northwind-sales"),
    );
    assert.equal(
      (await app.inject("/companies/contoso/departments/northwind-sales")).statusCode,
      404,
    );
  });

  await t.test("creates under an existing company, replaces and deletes with ETags", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/companies/contoso/departments",
      payload,
    });
    assert.equal(created.statusCode, 201);
    const { id, companyId } = created.json<{ id: string; companyId: string }>();
    assert.equal(companyId, "contoso");
    const url = `/companies/contoso/departments/${id}`;
    assert.equal(created.headers.location, url);

    const moved = { ...payload, location: "Oxford" };
    const etag = String(created.headers.etag);
    const replaced = await app.inject({
      method: "PUT",
      url,
      payload: moved,
      headers: { "if-match": etag },
    });
    assert.equal(replaced.statusCode, 200);
    const stale = await app.inject({ method: "PUT", url, payload, headers: { "if-match": etag } });
    assert.equal(stale.statusCode, 412);
    assert.deepEqual((await app.inject(url)).json(), { id, companyId: "contoso", ...moved });
    assert.equal((await app.inject({ method: "DELETE", url })).statusCode, 204);
    assert.equal((await app.inject({ method: "DELETE", url })).statusCode, 404);
  });

  await t.test("refuses a department in a company that does not exist", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/companies/nowhere/departments",
      payload,
    });
    assert.equal(response.statusCode, 404);
    assert.match(response.json<{ detail: string }>().detail, /Company "nowhere" does not exist/);
    const listed = await app.inject("/companies/nowhere/departments");
    assert.deepEqual(listed.json(), []);
  });

  await t.test("answers 503 when the company service is down, and still reads", async (t) => {
    const orphan = await build(t, department, env, { company: DOWN_URL });
    const started = Date.now();
    const response = await orphan.inject({
      method: "POST",
      url: "/companies/contoso/departments",
      payload,
    });
    assert.equal(response.statusCode, 503);
    assert.ok(Date.now() - started < 3000);
    assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.match(response.json<{ detail: string }>().detail, /company service is not reachable/);
    assert.equal((await orphan.inject("/companies/contoso/departments")).statusCode, 200);
  });
});
