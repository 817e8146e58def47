import assert from "node:assert/strict";
import { test } from "node:test";
import { employees as seed } from "@course/data";
import * as company from "../../../../../services/company/src/app.ts";
import * as department from "../../../../../services/department/src/app.ts";
import { build, DOWN_URL, serve, startCosmos, testEnv } from "@course/testing";
import * as employee from "../src/app.ts";

const payload = {
  firstName: "Ada",
  lastName: "Lovelace",
  email: "ada.lovelace@northwind.example",
  role: "Analyst",
  startDate: "2025-02-03",
};
const logistics = "/companies/northwind/departments/northwind-logistics/employees";

test("employee service", async (t) => {
  const cosmos = await startCosmos(t);
  const env = testEnv(cosmos.endpoint);
  const companyUrl = await serve(t, company, env);
  const departmentUrl = await serve(t, department, env, { company: companyUrl });
  const app = await build(t, employee, env, { department: departmentUrl });

  await t.test("lists a department's employees from the seed data", async () => {
    const response = await app.inject(logistics);
    assert.equal(response.statusCode, 200);
    const expected = seed
      .filter((e) => e.departmentId === "northwind-logistics")
      .sort((a, b) => a.lastName.localeCompare(b.lastName));
    assert.deepEqual(response.json(), expected);
  });

  await t.test("gets an employee only under their own department", async () => {
    assert.deepEqual(
      (await app.inject(`${logistics}/e1001`)).json(),
      seed.find((e) => e.id === "e1001"),
    );
    const elsewhere = "/companies/northwind/departments/northwind-sales/employees/e1001";
    assert.equal((await app.inject(elsewhere)).statusCode, 404);
    const wrongDepartment = { method: "PUT" as const, url: elsewhere, payload };
    assert.equal((await app.inject(wrongDepartment)).statusCode, 404);
    assert.equal((await app.inject({ method: "DELETE", url: elsewhere })).statusCode, 404);
  });

  await t.test("creates, replaces with If-Match, refuses a stale ETag, deletes", async () => {
    const created = await app.inject({ method: "POST", url: logistics, payload });
    assert.equal(created.statusCode, 201);
    const { id } = created.json<{ id: string }>();
    const url = `${logistics}/${id}`;
    assert.equal(created.headers.location, url);
    const etag = String(created.headers.etag);
    const promoted = { ...payload, role: "Lead Analyst" };
    const replaced = await app.inject({
      method: "PUT",
      url,
      payload: promoted,
      headers: { "if-match": etag },
    });
    assert.equal(replaced.statusCode, 200);
    assert.equal(
      (await app.inject({ method: "PUT", url, payload, headers: { "if-match": etag } })).statusCode,
      412,
    );
    assert.equal(
      (await app.inject({ method: "DELETE", url, headers: { "if-match": etag } })).statusCode,
      412,
    );
    assert.equal((await app.inject(url)).json<{ role: string }>().role, "Lead Analyst");
    assert.equal((await app.inject({ method: "DELETE", url })).statusCode, 204);
  });

  await t.test("refuses an employee in a department that does not exist", async () => {
    const url = "/companies/northwind/departments/northwind-nowhere/employees";
    const response = await app.inject({ method: "POST", url, payload });
    assert.equal(response.statusCode, 404);
    assert.match(response.json<{ detail: string }>().detail, /Department "northwind-nowhere"/);
  });

  await t.test("answers 503 when the department service is down", async (t) => {
    const orphan = await build(t, employee, env, { department: DOWN_URL });
    const response = await orphan.inject({ method: "POST", url: logistics, payload });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json<{ status: number }>().status, 503);
    assert.equal((await orphan.inject(logistics)).statusCode, 200);
  });
});
