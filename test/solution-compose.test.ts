import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { needsDocker, run } from "./containers/docker.ts";

// Exercise 5's answer: a compose file that includes the course's and adds the employee service.

const file = "solutions/05-compose-employees/compose.yaml";

interface Service {
  build?: { context?: string; dockerfile?: string };
  ports?: string[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition?: string }>;
  environment?: Record<string, string>;
}

test("the exercise 5 answer defines the employee service as the course teaches", () => {
  const spec = parse(readFileSync(join(import.meta.dirname, "..", file), "utf8")) as {
    include?: string[];
    services: Record<string, Service>;
  };
  assert.deepEqual(spec.include, ["../../compose.yaml"]);
  const employee = spec.services.employee;
  assert.ok(employee, "an employee service");
  assert.match(employee.build?.dockerfile ?? "", /services\/employee\/Dockerfile$/);
  assert.deepEqual(employee.ports, ["127.0.0.1:8003:8003"]);
  assert.ok(employee.healthcheck, "a healthcheck");
  assert.equal(employee.depends_on?.department?.condition, "service_healthy");
  assert.equal(employee.environment?.DEPARTMENT_SERVICE_URL, "http://department:8002");
});

test("docker compose accepts it and sees all four services", async (t) => {
  if (!(await needsDocker(t))) return;
  const services = await run("docker", ["compose", "-f", file, "config", "--services"]);
  assert.deepEqual(services.trim().split("\n").sort(), [
    "company",
    "cosmosdb",
    "department",
    "employee",
  ]);
});
