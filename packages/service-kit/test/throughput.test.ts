import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { test, type TestContext } from "node:test";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import type { FastifyBaseLogger } from "fastify";
import { loadConfig } from "../src/config.ts";
import { createCosmosStore } from "../src/cosmos.ts";

// What each COSMOSDB_THROUGHPUT_MODE sends: the real SDK against the local server, which is told
// to show each request it gets. The offer headers are what Azure bills by.

const OFFER = "x-ms-offer-throughput";
const AUTOSCALE = "x-ms-cosmos-offer-autopilot-settings";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push({ level, msg: args.find((a): a is string => typeof a === "string") ?? "" });
  const log = {
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    debug: at("debug"),
    trace: at("trace"),
    fatal: at("fatal"),
  } as unknown as FastifyBaseLogger;
  return { log, lines };
}

function storeFor(t: TestContext, endpoint: string, env: Record<string, string>) {
  const { cosmos } = loadConfig(
    { COSMOSDB_ENDPOINT_URL: endpoint, COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY, ...env },
    { defaultPort: 0 },
  );
  const { log, lines } = recordingLog();
  const store = createCosmosStore({
    config: { ...cosmos, database: "modes" },
    container: "things",
    partitionKey: "/id",
    seed: [],
    log,
    operationTimeoutMs: 1000,
  });
  t.after(() => store.close());
  return { store, lines };
}

async function creates(t: TestContext, env: Record<string, string>) {
  const seen: Seen[] = [];
  const cosmos = await startLocalCosmos(0, "127.0.0.1", (request) => {
    if (request.method === "POST")
      seen.push({ method: request.method, url: request.url ?? "", headers: request.headers });
  });
  t.after(() => cosmos.close());
  const { store } = storeFor(t, cosmos.endpoint, env);
  store.start();
  for (let i = 0; i < 100 && !(await store.check()).ready; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await store.check()).ready, true);
  const database = seen.find((s) => s.url === "/dbs");
  const container = seen.find((s) => s.url === "/dbs/modes/colls");
  assert.ok(database && container, `both creates were sent: ${JSON.stringify(seen)}`);
  const offers = (headers: IncomingHttpHeaders) => ({
    offer: headers[OFFER],
    autoscale: headers[AUTOSCALE],
  });
  return { database: offers(database.headers), container: offers(container.headers) };
}

const none = { offer: undefined, autoscale: undefined };

test("shared (the default): 400 RU/s on the database, none on the container", async (t) => {
  assert.deepEqual(await creates(t, {}), {
    database: { offer: "400", autoscale: undefined },
    container: none,
  });
});

test("container: COSMOSDB_THROUGHPUT RU/s on the container, none on the database", async (t) => {
  const env = { COSMOSDB_THROUGHPUT_MODE: "container", COSMOSDB_THROUGHPUT: "500" };
  assert.deepEqual(await creates(t, env), {
    database: none,
    container: { offer: "500", autoscale: undefined },
  });
});

test("autoscale: the maximum in the database's autoscale settings", async (t) => {
  const env = { COSMOSDB_THROUGHPUT_MODE: "autoscale", COSMOSDB_AUTOSCALE_MAX_THROUGHPUT: "2000" };
  const sent = await creates(t, env);
  assert.deepEqual(sent.container, none);
  assert.equal(sent.database.offer, undefined);
  assert.deepEqual(JSON.parse(String(sent.database.autoscale)), { maxThroughput: 2000 });
});

test("serverless: no throughput anywhere", async (t) => {
  const env = { COSMOSDB_THROUGHPUT_MODE: "serverless", COSMOSDB_THROUGHPUT: "400" };
  assert.deepEqual(await creates(t, env), { database: none, container: none });
});

// The shape Azure answers a throughput setting with on a serverless account (as reported in
// Azure SDK and tool issues, with its ActivityId and version line).
const SERVERLESS_REFUSAL = {
  code: "BadRequest",
  message:
    "Setting offer throughput or autopilot on database is not supported for serverless accounts.\r\nActivityId: 4360c6e4-0533-441c-936a-97591ad4ed95, Microsoft.Azure.Documents.Common/2.14.0",
};

test("a serverless account refusing throughput: one line naming the variable, no retry loop", async (t) => {
  let creates = 0;
  const fake = createServer((request, response) => {
    response.setHeader("content-type", "application/json");
    if (request.method === "POST") {
      creates++;
      response.statusCode = 400;
      response.end(JSON.stringify(SERVERLESS_REFUSAL));
    } else {
      response.statusCode = 404; // no database yet: the SDK goes on to create it
      response.end(JSON.stringify({ code: "NotFound", message: "Resource Not Found" }));
    }
  });
  fake.listen(0, "127.0.0.1");
  await once(fake, "listening");
  t.after(() => fake.close());
  const { port } = fake.address() as AddressInfo;
  const { store, lines } = storeFor(t, `http://127.0.0.1:${String(port)}`, {});
  store.start();
  for (let i = 0; i < 100 && !lines.some((l) => l.level === "error"); i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 600)); // a retry would come within 250 ms
  const health = await store.check();
  assert.equal(health.ready, false);
  assert.match(health.reason, /serverless.*set COSMOSDB_THROUGHPUT_MODE=serverless$/);
  const errors = lines.filter((l) => l.level === "error");
  assert.equal(errors.length, 1);
  assert.doesNotMatch(errors[0]?.msg ?? "", /\n/);
  assert.equal(creates, 1, "asked once, not again and again");
  assert.equal(lines.filter((l) => l.level === "warn").length, 0);
});
