import assert from "node:assert/strict";
import { test } from "node:test";
import { needsDocker, run } from "./containers/docker.ts";

// With Azure Cosmos DB, compose.azure.yaml (added by the COMPOSE_FILE line of .env.example, or
// with -f) leaves the local server out; without it, a plain `docker compose up` runs it.

async function config(files: string[], env: NodeJS.ProcessEnv = {}) {
  // --env-file /dev/null: a developer's own .env must not decide the outcome
  const output = await run(
    "docker",
    [
      "compose",
      "--env-file",
      "/dev/null",
      ...files.flatMap((f) => ["-f", f]),
      "config",
      "--format",
      "json",
    ],
    { env: { COMPOSE_FILE: undefined, COMPOSE_PROFILES: undefined, ...env } },
  );
  return JSON.parse(output) as {
    services: Record<string, { depends_on?: Record<string, { condition: string }> }>;
  };
}

const names = (project: Awaited<ReturnType<typeof config>>) => Object.keys(project.services).sort();

for (const [file, own] of [
  ["compose.yaml", []],
  ["solutions/05-compose-employees/compose.yaml", ["employee"]],
] as const) {
  test(`${file}: the local server runs unless compose.azure.yaml is added`, async (t) => {
    if (!(await needsDocker(t))) return;
    assert.deepEqual(
      names(await config([file])),
      ["company", "cosmosdb", "department", ...own].sort(),
    );
    const azure = await config([file, "compose.azure.yaml"]);
    assert.deepEqual(names(azure), ["company", "department", ...own].sort());
    // Nothing waits for a server that is not there; the order between the services stays.
    assert.deepEqual(Object.keys(azure.services.department?.depends_on ?? {}), ["company"]);
    assert.deepEqual(Object.keys(azure.services.company?.depends_on ?? {}), []);
  });
}

test(".env.example's COMPOSE_FILE line is what leaves the local server out", async (t) => {
  if (!(await needsDocker(t))) return;
  const { readFileSync } = await import("node:fs");
  const line = /^# (COMPOSE_FILE=\S+)$/m.exec(readFileSync(".env.example", "utf8"))?.[1];
  assert.ok(line, ".env.example shows COMPOSE_FILE");
  const value = line.slice("COMPOSE_FILE=".length);
  const separator = /^# COMPOSE_PATH_SEPARATOR=(\S)$/m.exec(
    readFileSync(".env.example", "utf8"),
  )?.[1];
  assert.equal(separator, ":");
  assert.deepEqual(
    names(await config([], { COMPOSE_FILE: value, COMPOSE_PATH_SEPARATOR: separator })),
    ["company", "department"],
  );
});
