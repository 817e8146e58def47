import type { TestContext } from "node:test";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import {
  loadConfig,
  type ConfigSpec,
  type LogStream,
  type ServiceConfig,
} from "@course/service-kit";
import type { FastifyInstance } from "fastify";

// One helper for every service test: a real local Cosmos DB server in this process, a config
// pointing at it, and a built app that is ready (provisioned and seeded) when it is returned.

type Env = Record<string, string | undefined>;

/** What a service's src/app.ts exports. */
export interface Service<S extends ConfigSpec> {
  configSpec: S;
  buildApp: (config: ServiceConfig<S>, logStream?: LogStream) => FastifyInstance;
}

/** A URL where nothing listens: a parent service that is down. */
export const DOWN_URL = "http://127.0.0.1:9";

export async function startCosmos(t: TestContext) {
  const cosmos = await startLocalCosmos();
  t.after(() => cosmos.close());
  return cosmos;
}

export function testEnv(endpoint: string, overrides: Env = {}) {
  return {
    COSMOSDB_ENDPOINT_URL: endpoint,
    COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
    COSMOSDB_DATABASE: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
    HOST: "127.0.0.1",
    ...overrides,
  };
}

/**
 * The config from `env`, with each parent's variable (named once, in the spec) set from `parents`,
 * e.g. `{ company: url }`. Without `parents`, every parent is down.
 */
export function testConfig<S extends ConfigSpec>(
  spec: S,
  env: Env,
  parents?: ServiceConfig<S>["parents"],
) {
  const given: Partial<Record<string, string>> = parents ?? {};
  const urls = Object.entries(spec.parents ?? {}).map(
    ([name, variable]) => [variable, given[name] ?? DOWN_URL] as const,
  );
  return loadConfig({ ...env, ...Object.fromEntries(urls) }, spec);
}

export async function waitUntilReady(app: FastifyInstance, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject("/readyz");
    if (response.statusCode === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${response.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Builds a service (parents as for testConfig) and waits until /readyz says 200. */
export async function build<S extends ConfigSpec>(
  t: TestContext,
  service: Service<S>,
  env: Env,
  parents?: ServiceConfig<S>["parents"],
) {
  const app = service.buildApp(testConfig(service.configSpec, env, parents));
  t.after(() => app.close());
  await app.ready();
  await waitUntilReady(app);
  return app;
}

/** Builds a service, listens on a free port of 127.0.0.1, and returns its base URL. */
export async function serve<S extends ConfigSpec>(
  t: TestContext,
  service: Service<S>,
  env: Env,
  parents?: ServiceConfig<S>["parents"],
) {
  const app = await build(t, service, env, parents);
  return app.listen({ port: 0, host: "127.0.0.1" });
}
