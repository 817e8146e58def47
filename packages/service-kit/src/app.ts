import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { Type } from "typebox";
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, type ServiceConfig } from "./config.ts";
import { createCosmosStore } from "./cosmos.ts";
import { serviceLogging, type LogStream } from "./logging.ts";
import { ProblemSchema, registerProblemHandlers, sendProblem } from "./problems.ts";

export interface ServiceAppOptions {
  name: string;
  description: string;
  version: string;
  config: Pick<ServiceConfig, "logLevel" | "seedData" | "cosmos"> &
    Partial<Pick<ServiceConfig, "requestTimeoutSeconds">>;
  /** The service's own Cosmos DB container and the partition key path its reads use. */
  container: { container: string; partitionKey: string };
  seed: readonly { id: string }[];
  /** Where the JSON log lines go; standard output unless a test reads them. */
  logStream?: LogStream;
}

const HealthSchema = Type.Object({ status: Type.String() });

/**
 * The Fastify instance every service starts from: JSON logs (one line per request, secrets
 * redacted), strict request validation, OpenAPI at /docs/json and Swagger UI at /docs, /healthz
 * and /readyz, and problem+json for every error; and the service's Cosmos DB store, provisioned in
 * the background once the app is ready and closed with it. The service registers its own routes.
 */
export function createServiceApp(options: ServiceAppOptions) {
  const logging = serviceLogging(options.name, options.config.logLevel, options.logStream);
  const timeoutMs =
    (options.config.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
  const app = Fastify({
    logger: logging.logger,
    logController: logging.logController,
    bodyLimit: 64 * 1024,
    // A client that sends a request slowly, or holds a connection open saying nothing, is cut off:
    // on a shared network any peer could otherwise keep connections open for ever. Node enforces
    // requestTimeout only when headersTimeout is no longer, and checks every
    // connectionsCheckingInterval (30 s unless set).
    requestTimeout: timeoutMs,
    connectionTimeout: timeoutMs,
    http: { headersTimeout: timeoutMs, connectionsCheckingInterval: Math.min(1000, timeoutMs) },
    // Reject what is wrong instead of guessing: no type coercion in bodies, no silently dropped fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    frameworkErrors: (error, _request, reply) => {
      void sendProblem(reply, 400, `The request is not valid: ${error.message}`);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const store = createCosmosStore({
    config: options.config.cosmos,
    ...options.container,
    seed: options.config.seedData ? options.seed : [],
    log: app.log,
  });
  app.addHook("onReady", () => {
    store.start();
  });
  app.addHook("onClose", async () => {
    await store.close();
    logging.flush();
  });

  app.addSchema(ProblemSchema);
  registerProblemHandlers(app);

  void app.register(swagger, {
    // Name shared schemas by their $id (Problem, Company…) in the OpenAPI document, not def-0.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: "3.0.3",
      info: {
        title: `${options.name} service`,
        description: options.description,
        version: options.version,
      },
    },
  });
  // A bundled service (scripts/bundle.mjs) carries Swagger UI's files in static/ beside itself.
  const bundledStatic = join(dirname(process.argv[1] ?? "."), "static");
  void app.register(swaggerUi, {
    routePrefix: "/docs",
    baseDir: existsSync(join(bundledStatic, "swagger-ui-bundle.js")) ? bundledStatic : undefined,
  });

  // Registered as a plugin so that they load after @fastify/swagger and appear at /docs.
  void app.register((health, _options, done) => {
    health.get(
      "/healthz",
      {
        schema: {
          tags: ["health"],
          summary: "The process is alive",
          response: { 200: HealthSchema },
        },
      },
      () => ({ status: "ok" }),
    );
    health.get(
      "/readyz",
      {
        schema: {
          tags: ["health"],
          summary: "The database is reachable and provisioned",
          response: { 200: HealthSchema, 503: Type.Ref("Problem") },
        },
      },
      async (_request, reply) => {
        const { ready, reason } = await store.check();
        if (ready) return { status: "ready" };
        return sendProblem(reply, 503, `Not ready: ${reason}`, { "retry-after": "2" });
      },
    );
    done();
  });

  return { app, store };
}

export type ServiceApp = ReturnType<typeof createServiceApp>["app"];
