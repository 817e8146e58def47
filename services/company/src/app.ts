import { companies } from "@course/data";
import {
  createServiceApp,
  type ConfigSpec,
  type ServiceConfig,
  type LogStream,
} from "@course/service-kit";
import { companiesContainer, createCompanyRepository } from "./repository.ts";
import { companyRoutes } from "./routes.ts";
import type { Company } from "./schemas.ts";

export const configSpec = { defaultPort: 8001 } satisfies ConfigSpec;

/** Builds the company service without listening, so that tests can use app.inject. */
export function buildApp(config: ServiceConfig<typeof configSpec>, logStream?: LogStream) {
  const { app, store } = createServiceApp({
    name: "company",
    description: "Companies: the top of the company > department > employee tree.",
    version: "1.0.0",
    config,
    container: companiesContainer,
    // Checked against the schema: seed data that drifts from it does not compile.
    seed: companies satisfies readonly Company[],
    logStream,
  });
  void app.register(companyRoutes, { companies: createCompanyRepository(store) });
  return app;
}
