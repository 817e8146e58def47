// What a client is told when the database fails says what it can do; the database client's own
// error (an internal host name in ENOTFOUND, an activity id) is in the log only.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import pino from "pino";
import { createServiceApp } from "../src/app.ts";
import { HttpProblem } from "../src/problems.ts";
import { readyLocalStore } from "./local-store.ts";

const HOST = "cosmos-private-7f3a.invalid";

test(
  "/readyz and 503 bodies name no internal host; the log does",
  { timeout: 20_000 },
  async (t) => {
    const lines: string[] = [];
    const { app } = createServiceApp({
      name: "bodies",
      description: "problem bodies test",
      version: "0.0.0",
      config: {
        logLevel: "debug",
        seedData: false,
        cosmos: {
          endpoint: `http://${HOST}:8081`,
          key: LOCAL_COSMOS_KEY,
          database: "bodies",
          throughput: { mode: "shared", throughput: 400 },
        },
      },
      container: { container: "things", partitionKey: "/id" },
      seed: [],
      logStream: { write: (line) => lines.push(line) },
    });
    t.after(() => app.close());
    await app.ready();

    // Wait for provisioning to fail once (its warning is logged), then ask.
    for (let i = 0; i < 150 && !lines.some((l) => l.includes("database not ready")); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(
      lines.some((l) => l.includes("database not ready") && l.includes(HOST)),
      "the log names the host the database client could not reach",
    );

    const readyz = await app.inject("/readyz");
    assert.equal(readyz.statusCode, 503);
    const body = readyz.json<{ detail: string }>();
    assert.match(body.detail, /^Not ready: the database is not reachable .*retry shortly/);
    assert.doesNotMatch(readyz.body, new RegExp(`${HOST}|ENOTFOUND|EAI_AGAIN|getaddrinfo`));
  },
);

test("a data call's failure: the body says what to do, the log says why", async (t) => {
  const lines: string[] = [];
  const store = await readyLocalStore(t, {
    database: "bodies",
    container: "things",
    partitionKey: "/id",
    log: pino({ level: "debug" }, { write: (line: string) => lines.push(line) }),
  });

  const failures = [
    [503, Object.assign(new Error(`getaddrinfo ENOTFOUND ${HOST}`), { code: "ENOTFOUND" })],
    [404, Object.assign(new Error(`Entity not found at ${HOST}, ActivityId: 42`), { code: 404 })],
  ] as const;
  for (const [status, failure] of failures) {
    await assert.rejects(
      store.run(() => Promise.reject(failure)),
      (error: unknown) => {
        assert.ok(error instanceof HttpProblem);
        assert.equal(error.status, status);
        assert.doesNotMatch(error.detail, new RegExp(`${HOST}|ENOTFOUND|ActivityId`));
        return true;
      },
    );
    assert.ok(
      lines.some((line) => line.includes(failure.message)),
      `${status}: logged`,
    );
  }
});
