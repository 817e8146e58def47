// A client that declares a body and sends it a byte at a time is cut off at the request timeout,
// while other clients keep being answered. Bounded: the slow client stops by itself.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { createServiceApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

const TIMEOUT_SECONDS = 2;

test(
  "a slow client is cut off at REQUEST_TIMEOUT_SECONDS; others are answered",
  { timeout: 30_000 },
  async (t) => {
    const config = loadConfig(
      {
        COSMOSDB_ENDPOINT_URL: "http://127.0.0.1:9",
        COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
        LOG_LEVEL: "silent",
        REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      },
      { defaultPort: 0 },
    );
    assert.equal(config.requestTimeoutSeconds, TIMEOUT_SECONDS);
    const { app } = createServiceApp({
      name: "timeouts",
      description: "timeouts test",
      version: "0.0.0",
      config,
      container: { container: "things", partitionKey: "/id" },
      seed: [],
    });
    app.post("/echo", (request) => request.body);
    t.after(() => app.close());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === "object");
    const origin = `http://127.0.0.1:${String(address.port)}`;

    // Declares 1,000 bytes, sends one every 1.5 s: at most 10 bytes, then gives up on its own.
    const socket = connect(address.port, "127.0.0.1");
    const started = performance.now();
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.write(
      "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    );
    let sent = 0;
    const drip = setInterval(() => {
      if (sent++ >= 10 || socket.destroyed) clearInterval(drip);
      else socket.write(" ");
    }, 1500);
    t.after(() => {
      clearInterval(drip);
      socket.destroy();
    });
    const closed = new Promise<number>((resolve) =>
      socket.on("close", () => {
        resolve(performance.now() - started);
      }),
    );
    socket.on("error", () => undefined);

    // Meanwhile, normal requests keep being answered.
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${origin}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ n: i }),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { n: i });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    const after = await closed;
    assert.ok(sent < 10, "the server closed the connection before the client gave up");
    assert.ok(
      after >= TIMEOUT_SECONDS * 1000 - 100 && after < (TIMEOUT_SECONDS + 3) * 1000,
      `cut off after ${after.toFixed(0)} ms`,
    );
    assert.match(answer, /^HTTP\/1\.1 408/, "the server answered 408 Request Timeout");
    assert.equal((await fetch(`${origin}/healthz`)).status, 200, "still answering afterwards");
  },
);

test("REQUEST_TIMEOUT_SECONDS is validated; 10 s when unset", () => {
  const env = {
    COSMOSDB_ENDPOINT_URL: "http://localhost:8081",
    COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
  };
  assert.equal(loadConfig(env, { defaultPort: 0 }).requestTimeoutSeconds, 10);
  assert.throws(
    () => loadConfig({ ...env, REQUEST_TIMEOUT_SECONDS: "0" }, { defaultPort: 0 }),
    /REQUEST_TIMEOUT_SECONDS must be a whole number from 1 to 600/,
  );
});
