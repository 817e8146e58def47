import { departments } from "@course/data";
import {
  createParentService,
  createServiceApp,
  type ConfigSpec,
  type LogStream,
  type ServiceConfig,
} from "@course/service-kit";
import { createDepartmentRepository, departmentsContainer } from "./repository.ts";
import { departmentRoutes } from "./routes.ts";
import type { Department } from "./schemas.ts";

export const configSpec = {
  defaultPort: 8002,
  parents: { company: "COMPANY_SERVICE_URL" },
} satisfies ConfigSpec;

/** Builds the department service without listening, so that tests can use app.inject. */
export function buildApp(config: ServiceConfig<typeof configSpec>, logStream?: LogStream) {
  const { app, store } = createServiceApp({
    name: "department",
    description: "Departments of a company. A department is created only in a company that exists.",
    version: "1.0.0",
    config,
    container: departmentsContainer,
    // Checked against the schema: seed data that drifts from it does not compile.
    seed: departments satisfies readonly Department[],
    logStream,
  });
  void app.register(departmentRoutes, {
    departments: createDepartmentRepository(store),
    companyService: createParentService({
      noun: "company",
      baseUrl: config.parents.company,
    }),
  });
  return app;
}
