// What a service writes to its log: one JSON line per request, and never the account key, whatever
// object holding it is logged.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { readFileSync } from "node:fs";
import { createServiceApp } from "../src/app.ts";
import { LOG_FLUSH_MS } from "../src/logging.ts";
import type { CosmosConfig } from "../src/config.ts";

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

function loggedApp() {
  const lines: Line[] = [];
  const cosmos: CosmosConfig = {
    // Nothing listens on port 9: provisioning fails and retries in the background, as it may.
    endpoint: "http://127.0.0.1:9",
    key: LOCAL_COSMOS_KEY,
    database: "logging-test",
    throughput: { mode: "shared", throughput: 400 },
  };
  const { app } = createServiceApp({
    name: "logging",
    description: "logging test",
    version: "0.0.0",
    config: { logLevel: "info", seedData: false, cosmos },
    container: { container: "things", partitionKey: "/id" },
    seed: [],
    logStream: { write: (line) => lines.push(JSON.parse(line) as Line) },
  });
  app.get("/boom", () => {
    throw new Error("boom");
  });
  return { app, lines, cosmos };
}

test("one line per request, written when the response is sent", async (t) => {
  const { app, lines } = loggedApp();
  t.after(() => app.close());
  const ok = await app.inject({ url: "/healthz" });
  const missing = await app.inject({ url: "/nowhere?x=1" });
  const failed = await app.inject({ url: "/boom" });
  assert.deepEqual([ok.statusCode, missing.statusCode, failed.statusCode], [200, 404, 500]);

  const requests = lines.filter((l) => l.msg === "request");
  assert.deepEqual(
    requests.map(({ method, url, statusCode }) => ({ method, url, statusCode })),
    [
      { method: "GET", url: "/healthz", statusCode: 200 },
      { method: "GET", url: "/nowhere?x=1", statusCode: 404 },
      { method: "GET", url: "/boom", statusCode: 500 },
    ],
  );
  for (const line of requests) {
    assert.equal(line.level, 30, "info");
    assert.equal(line.service, "logging");
    assert.equal(typeof line.reqId, "string");
    assert.equal(typeof line.ms, "number");
  }
  assert.equal(new Set(requests.map((l) => l.reqId)).size, 3, "a request id each");
  assert.deepEqual(
    lines.filter((l) => /incoming request|request completed/.test(l.msg)),
    [],
    "Fastify's own two lines per request are not written",
  );
  // The failure itself is logged once, at error level, with the same request id.
  const failure = lines.filter((l) => l.level === 50);
  assert.equal(failure.length, 1);
  assert.equal(failure[0]?.reqId, requests[2]?.reqId);
});

test("the account key is not written, in the config or its parts", async (t) => {
  const { app, lines, cosmos } = loggedApp();
  t.after(() => app.close());
  await app.ready();
  app.log.info({ config: { cosmos } }, "config");
  app.log.info({ cosmos }, "cosmos");
  app.log.info({ key: cosmos.key, masterKey: cosmos.key }, "keys");
  app.log.info({ req: { headers: { authorization: `type=master&sig=${cosmos.key}` } } }, "req");
  const written = lines.filter((l) => ["config", "cosmos", "keys", "req"].includes(l.msg));
  assert.equal(written.length, 4);
  const text = JSON.stringify(written);
  assert.ok(!text.includes(LOCAL_COSMOS_KEY), text);
  assert.equal(text.split("[Redacted]").length - 1, 4, text);
  // What is not secret stays readable.
  assert.ok(text.includes(cosmos.endpoint));
});

test(
  "standard output: a quiet service's line is written soon, and none is lost at exit",
  { timeout: 20_000 },
  async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fixtures/log-to-stdout.ts")],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const requests: Line[] = [];
    let first: () => void = () => undefined;
    const firstSeen = new Promise<void>((resolve) => (first = resolve));
    createInterface({ input: child.stdout }).on("line", (text) => {
      const line = JSON.parse(text) as Line;
      if (line.msg !== "request") return;
      requests.push(line);
      first();
    });
    // The first request's line arrives while the process goes on running (the buffer is flushed on
    // a timer, not only when it is full).
    await firstSeen;
    assert.equal(child.exitCode, null, "the process is still running");
    child.stdin.end("500\n");
    const [code] = (await once(child, "exit")) as [number];
    assert.equal(code, 0);
    assert.equal(requests.length, 501, "every line, the ones buffered at exit included");
    assert.equal(new Set(requests.map((l) => l.url)).size, 501);
  },
);

test("the README says how late a log line may be, as the kit flushes it", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");
  const said = /written in batches, each within ([\d.]+) s/.exec(readme.replace(/\s+/g, " "));
  assert.ok(said, "README.md says how late a log line may be");
  assert.equal(Number(said[1]) * 1000, LOG_FLUSH_MS);
});
