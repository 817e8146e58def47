import { test } from "node:test";
import * as company from "../services/company/src/app.ts";
import * as department from "../services/department/src/app.ts";
import * as employee from "../solutions/05-compose-employees/services/employee/src/app.ts";
import { serve, startCosmos, testEnv } from "./helper.ts";
import { checkDocsPage, launchChromium, listRoutes } from "./swagger-ui.ts";

// Swagger UI in Chromium against the services run from source; test/containers/compose.test.ts
// does the same against the containers, where the UI's files come from the bundle.

test("Swagger UI in Chromium, services from source", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const cosmos = await startCosmos(t);
  const env = testEnv(cosmos.endpoint);
  const companyUrl = await serve(t, company.buildApp, company.configSpec, env);
  const departmentUrl = await serve(t, department.buildApp, department.configSpec, {
    ...env,
    COMPANY_SERVICE_URL: companyUrl,
  });
  const employeeUrl = await serve(t, employee.buildApp, employee.configSpec, {
    ...env,
    DEPARTMENT_SERVICE_URL: departmentUrl,
  });
  const urls = { company: companyUrl, department: departmentUrl, employee: employeeUrl };
  for (const route of listRoutes(urls)) {
    await t.test(route.name, () => checkDocsPage(browser, route, `docs-${route.name}-source.png`));
  }
});
