import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { startCosmos, testEnv } from "@course/testing";
import { serveAll } from "./services.ts";

// A sweep of generated bad requests against every route of every service: none may give a 5xx,
// every answer is problem+json, and the services are still ready afterwards.

interface Sent {
  method: string;
  path: string;
  body?: string;
  type?: string;
}

function send(base: string, { method, path, body, type = "application/json" }: Sent) {
  const url = new URL(base);
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: body === undefined ? {} : { "content-type": type },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => {
          const type = res.headers["content-type"] ?? "";
          resolve({ status: res.statusCode ?? 0, type, body: text });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const oddIds = [
  "%20",
  "a".repeat(65),
  "a".repeat(400),
  "..%2F..%2Fetc%2Fpasswd",
  "..",
  "%2e%2e",
  "%C3%B1and%C3%BA",
  "%F0%9F%90%B3",
  "%E0%A4%A",
  "a%20b",
  "%00",
  "%27%20OR%201%3D1",
  "%3Cscript%3E",
  "-dash",
  "%25",
  "x%2Fy",
];

const validBodies = {
  company: { name: "Acme", industry: "Anvils", country: "US", founded: 1949 },
  department: { name: "Research", location: "Leeds" },
  employee: {
    firstName: "Ada",
    lastName: "Lovelace",
    email: "ada@example.com",
    role: "Analyst",
    startDate: "2025-02-03",
  },
};

function badBodies(valid: Record<string, unknown>): Sent["body"][] {
  const [field] = Object.keys(valid);
  return [
    "{",
    '{"name":',
    "null",
    "[]",
    '"text"',
    "42",
    "",
    JSON.stringify({}),
    JSON.stringify({ ...valid, unknownField: true }),
    JSON.stringify({ ...valid, [field ?? "x"]: 12 }),
    JSON.stringify({ ...valid, [field ?? "x"]: null }),
    JSON.stringify({ ...valid, [field ?? "x"]: "x".repeat(100_000) }),
    JSON.stringify({ ...valid, id: "chosen-by-client" }),
    JSON.stringify({ ...valid, startDate: "yesterday", email: "not-an-email", founded: 1.5 }),
  ];
}

test("bad input sweep: no 5xx, always problem+json, still ready", async (t) => {
  const cosmos = await startCosmos(t);
  const urls = await serveAll(t, testEnv(cosmos.endpoint));
  const [companyUrl, departmentUrl, employeeUrl] = [urls.company, urls.department, urls.employee];

  const services = [
    { base: companyUrl, collection: "/companies", body: validBodies.company },
    {
      base: departmentUrl,
      collection: "/companies/northwind/departments",
      body: validBodies.department,
    },
    {
      base: employeeUrl,
      collection: "/companies/northwind/departments/northwind-it/employees",
      body: validBodies.employee,
    },
  ];
  const requests: { base: string; sent: Sent }[] = [];
  for (const { base, collection, body } of services) {
    const item = `${collection}/northwind`;
    for (const id of oddIds) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        requests.push({
          base,
          sent: {
            method,
            path: `${collection}/${id}`,
            body: method === "PUT" ? JSON.stringify(body) : undefined,
          },
        });
      }
    }
    if (collection.includes("northwind")) {
      const parentOdd = collection.replace("northwind", "%2e%2e");
      requests.push({ base, sent: { method: "GET", path: parentOdd } });
      requests.push({
        base,
        sent: { method: "POST", path: parentOdd, body: JSON.stringify(body) },
      });
    }
    for (const bad of badBodies(body)) {
      requests.push({ base, sent: { method: "POST", path: collection, body: bad } });
      requests.push({ base, sent: { method: "PUT", path: item, body: bad } });
    }
    requests.push({
      base,
      sent: { method: "POST", path: collection, body: "name=x", type: "text/plain" },
    });
    requests.push({
      base,
      sent: { method: "POST", path: collection, body: "<x/>", type: "application/xml" },
    });
    requests.push({ base, sent: { method: "PATCH", path: item, body: "{}" } });
    requests.push({ base, sent: { method: "GET", path: `${collection}/nope/unknown` } });
  }
  assert.ok(requests.length >= 200, `${requests.length} requests`);
  t.diagnostic(`${requests.length} bad requests across ${services.length} services`);

  for (const { base, sent } of requests) {
    const response = await send(base, sent);
    const what = `${sent.method} ${sent.path.slice(0, 80)} ${String(sent.body).slice(0, 60)} -> ${response.status} ${response.body.slice(0, 200)}`;
    assert.ok(response.status >= 400 && response.status < 500, what);
    assert.match(response.type, /^application\/problem\+json/, what);
    const problem = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(problem.status, response.status, what);
    for (const field of ["type", "title", "detail"])
      assert.equal(typeof problem[field], "string", what);
    assert.doesNotMatch(response.body, /\bat .*\.(ts|js|cjs):\d+/, `stack trace in ${what}`);
  }
  for (const { base } of services) {
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  }
  assert.equal((await fetch(`${companyUrl}/companies/northwind`)).status, 200);
});
