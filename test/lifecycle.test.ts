import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { CosmosClient } from "@azure/cosmos";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import { employees } from "@course/data";
import { startCosmos, testConfig, testEnv, waitUntilReady } from "@course/testing";
import * as company from "../services/company/src/app.ts";
import * as employee from "../solutions/05-compose-employees/services/employee/src/app.ts";

async function freePort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("database down at start: not ready with the reason, then ready without a restart", async (t) => {
  const port = await freePort();
  const app = company.buildApp(testConfig(company.configSpec, testEnv(`http://127.0.0.1:${port}`)));
  t.after(() => app.close());
  await app.ready();
  const notReady = await app.inject("/readyz");
  assert.equal(notReady.statusCode, 503);
  assert.match(notReady.json<{ detail: string }>().detail, /ECONNREFUSED|not ready|provisioning/);
  assert.equal((await app.inject("/healthz")).statusCode, 200);
  assert.equal((await app.inject("/companies")).statusCode, 503);

  const cosmos = await startLocalCosmos(port);
  t.after(() => cosmos.close());
  await waitUntilReady(app, 10_000);
  assert.equal((await app.inject("/companies")).json<unknown[]>().length, 3);
});

test("three replicas starting at once on an empty database: all ready, seed data once, no errors", async (t) => {
  const cosmos = await startCosmos(t);
  const errors: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        if ((JSON.parse(line) as { level: number }).level >= 50) errors.push(line);
      }
      done();
    },
  });
  const env = testEnv(cosmos.endpoint, { COSMOSDB_DATABASE: "replicas" });
  const replicas = [1, 2, 3].map(() =>
    employee.buildApp(testConfig(employee.configSpec, env), stream),
  );
  t.after(() => Promise.all(replicas.map((app) => app.close())));
  await Promise.all(replicas.map((app) => app.ready()));
  await Promise.all(replicas.map((app) => waitUntilReady(app)));

  // The local server advertises https:// locations even over http: no endpoint discovery.
  const connectionPolicy = { enableEndpointDiscovery: false };
  const client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: LOCAL_COSMOS_KEY,
    connectionPolicy,
  });
  const container = client.database("replicas").container("employees");
  const { resources: ids } = await container.items
    .query<string>("SELECT VALUE c.id FROM c")
    .fetchAll();
  assert.equal(ids.length, employees.length);
  assert.deepEqual(new Set(ids), new Set(employees.map((e) => e.id)));
  assert.deepEqual(errors, []);
});

// Windows has no signals to deliver: child.kill() ends the process from outside, whatever it handles.
const noSignals =
  process.platform === "win32" && "Windows cannot deliver SIGTERM or SIGINT to a process";

test(
  "SIGTERM and SIGINT: the service stops accepting, closes and exits 0 within 2 s",
  { skip: noSignals },
  async (t) => {
    const cosmos = await startCosmos(t);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const port = await freePort();
      const env = {
        ...process.env,
        ...testEnv(cosmos.endpoint),
        PORT: String(port),
        LOG_LEVEL: "info",
      };
      const server = join(import.meta.dirname, "../services/company/src/server.ts");
      const child = spawn(process.execPath, ["--import", "tsx", server], { env, stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      for (let ready = false; !ready;) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const started = Date.now();
      child.kill(signal);
      assert.equal(await exited, 0, signal);
      assert.ok(Date.now() - started < 2000, `${signal}: exited after ${Date.now() - started} ms`);
    }
  },
);
