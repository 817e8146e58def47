import { employees } from "@course/data";
import {
  createParentService,
  createServiceApp,
  type ConfigSpec,
  type LogStream,
  type ServiceConfig,
} from "@course/service-kit";
import { createEmployeeRepository, employeesContainer } from "./repository.ts";
import { employeeRoutes } from "./routes.ts";
import type { Employee } from "./schemas.ts";

export const configSpec = {
  defaultPort: 8003,
  parents: { department: "DEPARTMENT_SERVICE_URL" },
} satisfies ConfigSpec;

/** Builds the employee service without listening, so that tests can use app.inject. */
export function buildApp(config: ServiceConfig<typeof configSpec>, logStream?: LogStream) {
  const { app, store } = createServiceApp({
    name: "employee",
    description:
      "Employees of a department. An employee is created only in a department that exists.",
    version: "1.0.0",
    config,
    container: employeesContainer,
    // Checked against the schema: seed data that drifts from it does not compile.
    seed: employees satisfies readonly Employee[],
    logStream,
  });
  void app.register(employeeRoutes, {
    employees: createEmployeeRepository(store),
    departmentService: createParentService({
      noun: "department",
      baseUrl: config.parents.department,
    }),
  });
  return app;
}
