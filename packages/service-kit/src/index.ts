// What the services and their tests use; the rest stays inside the kit.
export { createServiceApp } from "./app.ts";
export type { LogStream } from "./logging.ts";
export {
  ConfigError,
  keyInFile,
  loadConfig,
  loadConfigOrExit,
  THROUGHPUT_MODES,
  type ConfigSpec,
  type ServiceConfig,
  type Throughput,
} from "./config.ts";
export { isServerlessRefusal, SERVERLESS_ADVICE } from "./cosmos.ts";
export type { CosmosStore } from "./cosmos.ts";
export { createItems, matchIfMatch } from "./items.ts";
export { createParentService, type ParentService } from "./parent.ts";
export { notFound } from "./problems.ts";
export { listen } from "./server.ts";
export { IdSchema, IfMatchHeaders, ItemHeaders } from "./schemas.ts";
// The room server builds its own app (no database service) from the same pieces.
export { HttpProblem, ProblemSchema, registerProblemHandlers, sendProblem } from "./problems.ts";
export { serviceLogging } from "./logging.ts";
