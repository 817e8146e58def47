import assert from "node:assert/strict";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import { azureFindings } from "../src/commands/doctor/azure.ts";
import { course, stateDir } from "./helper.ts";

// `course doctor --azure` against the local server, and against fakes that answer like Azure:
// a serverless account, a provisioned one, and one that refuses the key.

/** .env as .env.example shows it: the endpoint, and the key in a file beside it. */
function envFile(t: TestContext, endpoint: string, extra = "") {
  const dir = stateDir(t);
  writeFileSync(join(dir, "cosmosdb-master-key"), `${LOCAL_COSMOS_KEY}\n`);
  const path = join(dir, ".env");
  writeFileSync(
    path,
    `# an Azure account\nCOSMOSDB_ENDPOINT_URL="${endpoint}"\nCOSMOSDB_MASTER_KEY_FILE='cosmosdb-master-key'\n${extra}`,
  );
  return path;
}

const account = {
  id: "class",
  writableLocations: [{ name: "West Europe", databaseAccountEndpoint: "https://class/" }],
  readableLocations: [{ name: "West Europe", databaseAccountEndpoint: "https://class/" }],
  userConsistencyPolicy: { defaultConsistencyLevel: "Session" },
};

// The shapes Azure answers with (status, body), as reported in Azure SDK and tool issues.
const SERVERLESS_OFFERS = {
  code: "BadRequest",
  message:
    "Reading or replacing offers is not supported for serverless accounts.\r\nActivityId: 42ac4395-e2b3-45e5-a1f8-d410c058a95d, Microsoft.Azure.Documents.Common/2.14.0",
};
const BAD_KEY = {
  code: "Unauthorized",
  message:
    "The input authorization token can't serve the request. The wrong key is being used or the expected payload is not built as per the protocol.\r\nActivityId: 0c5be017-0686-425e-9483-aa3b982379f1, Microsoft.Azure.Documents.Common/2.14.0",
};

async function fake(t: TestContext, answer: (url: string) => [number, unknown]) {
  const listener: RequestListener = (request, response) => {
    const [status, body] = answer(request.url ?? "/");
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const server = createServer(listener).listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

const byId = (findings: { id: string; status: string; detail: string }[]) =>
  Object.fromEntries(findings.map((f) => [f.id, f]));

const serverless = (url: string): [number, unknown] =>
  url.startsWith("/offers") ? [400, SERVERLESS_OFFERS] : [200, account];

test("a serverless account with the default mode: the fix names COSMOSDB_THROUGHPUT_MODE", async (t) => {
  const endpoint = await fake(t, serverless);
  const found = byId(await azureFindings({ envFile: envFile(t, endpoint), shell: {} }));
  assert.equal(found.endpoint?.status, "ok");
  assert.match(found.key?.detail ?? "", /West Europe/);
  assert.match(found.mode?.detail ?? "", /^serverless/);
  assert.equal(found.fit?.status, "fail");
  assert.match(found.fit.detail, /set COSMOSDB_THROUGHPUT_MODE=serverless/);
});

test("a serverless account with COSMOSDB_THROUGHPUT_MODE=serverless fits", async (t) => {
  const endpoint = await fake(t, serverless);
  const path = envFile(t, endpoint, "COSMOSDB_THROUGHPUT_MODE=serverless # per request\n");
  const found = byId(await azureFindings({ envFile: path, shell: {} }));
  assert.equal(found.fit?.status, "ok");
});

test("a provisioned account: what is provisioned now, and container mode above the free tier", async (t) => {
  const offers = { Offers: [{ id: "a", content: { offerThroughput: 400 } }], _count: 1 };
  const endpoint = await fake(t, (url) =>
    url.startsWith("/offers") ? [200, offers] : [200, account],
  );
  const path = envFile(t, endpoint, "COSMOSDB_THROUGHPUT_MODE=container\n");
  const findings = await azureFindings({ envFile: path, shell: {} });
  const found = byId(findings);
  assert.match(
    found.mode?.detail ?? "",
    /provisioned throughput: 400 RU\/s provisioned now, in 1 offer$/,
  );
  assert.match(found.fit?.detail ?? "", /1200 RU\/s \(3 services × 400\)/);
  assert.match(findings.find((f) => f.id === "fit")?.advice ?? "", /above the 1000 RU\/s/);
});

test("a refused key is named, with where to copy it from", async (t) => {
  const endpoint = await fake(t, () => [401, BAD_KEY]);
  const findings = await azureFindings({ envFile: envFile(t, endpoint), shell: {} });
  const key = findings.find((f) => f.id === "key");
  assert.equal(key?.status, "fail");
  assert.match(key.detail, /refused the key \(401\)/);
  assert.match(key.advice ?? "", /Settings > Keys/);
});

test("no endpoint, and a bad mode, are named before anything is asked", async (t) => {
  const none = await azureFindings({ envFile: join(stateDir(t), "missing.env"), shell: {} });
  assert.deepEqual(
    none.map((f) => [f.id, f.status]),
    [["settings", "fail"]],
  );
  const path = envFile(t, "http://127.0.0.1:9", "COSMOSDB_THROUGHPUT_MODE=free\n");
  const [settings] = await azureFindings({ envFile: path, shell: {} });
  assert.match(settings?.detail ?? "", /COSMOSDB_THROUGHPUT_MODE must be one of/);
});

test("course doctor --azure against the local server: reachable, key taken, mode not reported", async (t) => {
  const cosmos = await startLocalCosmos();
  t.after(() => cosmos.close());
  const result = await course([
    "doctor",
    "--azure",
    "--json",
    "--env-file",
    envFile(t, cosmos.endpoint),
  ]);
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    findings: { id: string; status: string }[];
  };
  assert.deepEqual(
    report.findings.map((f) => [f.id, f.status]),
    [
      ["settings", "ok"],
      ["endpoint", "ok"],
      ["key", "ok"],
      ["mode", "skip"],
      ["fit", "skip"],
    ],
  );
  assert.equal(result.code, 0);
});

test("a key pasted as the endpoint is named, never printed (text and JSON)", async (t) => {
  const path = envFile(t, LOCAL_COSMOS_KEY);
  const piece = LOCAL_COSMOS_KEY.slice(10, 22);
  for (const format of [[], ["--json"]]) {
    const result = await course(["doctor", "--azure", ...format, "--env-file", path]);
    const output = result.stdout + result.stderr;
    assert.match(output, /COSMOSDB_ENDPOINT_URL must be an http/, output);
    assert.match(output, /88 characters, not shown/);
    assert.ok(!output.includes(piece), `doctor ${format.join(" ")} prints part of the key`);
    assert.notEqual(result.code, 0);
  }
});

test("a key set as COSMOSDB_MASTER_KEY in .env is the one asked with, never printed", async (t) => {
  // The seed's way: the key itself in .env (compose mounts .env as the key's secret file).
  const path = join(stateDir(t), ".env");
  writeFileSync(
    path,
    `COSMOSDB_ENDPOINT_URL=http://127.0.0.1:9\nCOSMOSDB_MASTER_KEY=${LOCAL_COSMOS_KEY}\n`,
  );
  const findings = await azureFindings({ envFile: path, shell: {}, timeoutMs: 2000 });
  const [settings, reached] = findings;
  assert.equal(settings?.status, "ok", JSON.stringify(settings));
  // Asked with the key: the unreachable endpoint is what fails, not the settings.
  assert.equal(reached?.status, "fail", JSON.stringify(reached));
  assert.ok(!JSON.stringify(findings).includes(LOCAL_COSMOS_KEY.slice(0, 12)));
});

test("no .env asks to copy .env.example; a .env without the endpoint asks for that line", async (t) => {
  const dir = stateDir(t);
  const [missing] = await azureFindings({ envFile: join(dir, ".env"), shell: {} });
  assert.ok(missing);
  assert.equal(missing.status, "fail");
  assert.match(missing.advice ?? "", /^Copy \.env\.example to \.env/);
  writeFileSync(join(dir, ".env"), `COSMOSDB_MASTER_KEY=${LOCAL_COSMOS_KEY}\n`);
  const [noEndpoint] = await azureFindings({ envFile: join(dir, ".env"), shell: {} });
  assert.ok(noEndpoint);
  assert.equal(noEndpoint.status, "fail");
  assert.match(noEndpoint.detail, /sets no COSMOSDB_ENDPOINT_URL/);
  assert.match(noEndpoint.advice ?? "", /^Set COSMOSDB_ENDPOINT_URL in \.env/);
});
