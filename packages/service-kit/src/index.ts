export { createServiceApp, type ServiceApp, type ServiceAppOptions } from "./app.ts";
export {
  ConfigError,
  loadConfig,
  loadConfigOrExit,
  parentUrl,
  type ServiceConfig,
  type CosmosConfig,
} from "./config.ts";
export { createCosmosStore, type CosmosStore } from "./cosmos.ts";
export { createItems, httpEtag, type Items, type Stored } from "./items.ts";
export { createParentService, type ParentService } from "./parent.ts";
export { HttpProblem, notFound, ProblemSchema, sendProblem } from "./problems.ts";
export { listen } from "./server.ts";
export { IdSchema, IfMatchHeaders, ItemHeaders } from "./schemas.ts";
