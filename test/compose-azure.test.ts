import assert from "node:assert/strict";
import { test } from "node:test";
import { needsDocker, run } from "./containers/docker.ts";

// With COSMOSDB_ENDPOINT_URL set (in .env, as .env.example shows), compose leaves the local
// Cosmos DB server out; without it, a plain `docker compose up` runs it as before.

const azure = "https://x.documents.azure.com:443/";

async function services(file: string, endpoint: string | undefined) {
  // --env-file /dev/null: a developer's own .env must not decide the outcome
  const output = await run(
    "docker",
    ["compose", "--env-file", "/dev/null", "-f", file, "config", "--services"],
    { env: { COSMOSDB_ENDPOINT_URL: endpoint, COMPOSE_PROFILES: undefined } },
  );
  return output.trim().split("\n").sort();
}

for (const [file, own] of [
  ["compose.yaml", []],
  ["solutions/05-compose-employees/compose.yaml", ["employee"]],
] as const) {
  test(`${file}: the local server runs unless COSMOSDB_ENDPOINT_URL points elsewhere`, async (t) => {
    if (!(await needsDocker(t))) return;
    assert.deepEqual(
      await services(file, undefined),
      ["company", "cosmosdb", "department", ...own].sort(),
    );
    assert.deepEqual(await services(file, azure), ["company", "department", ...own].sort());
  });
}
