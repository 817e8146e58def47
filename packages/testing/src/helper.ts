import type { TestContext } from "node:test";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import { loadConfig, type ConfigSpec, type ServiceConfig } from "@course/service-kit";
import type { FastifyInstance, FastifyServerOptions } from "fastify";

// One helper for every service test: a real local Cosmos DB server in this process, a config
// pointing at it, and a built app that is ready (provisioned and seeded) when it is returned.

export async function startCosmos(t: TestContext) {
  const cosmos = await startLocalCosmos();
  t.after(() => cosmos.close());
  return cosmos;
}

export function testEnv(endpoint: string, overrides: Record<string, string | undefined> = {}) {
  return {
    COSMOSDB_ENDPOINT_URL: endpoint,
    COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
    COSMOSDB_DATABASE: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
    HOST: "127.0.0.1",
    COMPANY_SERVICE_URL: DOWN_URL,
    DEPARTMENT_SERVICE_URL: DOWN_URL,
    ...overrides,
  };
}

type BuildApp = (config: ServiceConfig, fastify?: FastifyServerOptions) => FastifyInstance;

export async function waitUntilReady(app: FastifyInstance, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject("/readyz");
    if (response.statusCode === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${response.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Builds a service against `endpoint` and waits until /readyz says 200. */
export async function build(
  t: TestContext,
  buildApp: BuildApp,
  spec: ConfigSpec,
  env: Record<string, string | undefined>,
  fastify?: FastifyServerOptions,
) {
  const app = buildApp(loadConfig(env, spec), fastify);
  t.after(() => app.close());
  await app.ready();
  await waitUntilReady(app);
  return app;
}

/** Builds a service, listens on a free port of 127.0.0.1, and returns its base URL. */
export async function serve(
  t: TestContext,
  buildApp: BuildApp,
  spec: ConfigSpec,
  env: Record<string, string | undefined>,
) {
  const app = await build(t, buildApp, spec, env);
  return app.listen({ port: 0, host: "127.0.0.1" });
}

/** A URL where nothing listens: a parent service that is down. */
export const DOWN_URL = "http://127.0.0.1:9";
