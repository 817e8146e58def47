import type { TestContext } from "node:test";
import { serve } from "@course/testing";
import * as company from "../services/company/src/app.ts";
import * as department from "../services/department/src/app.ts";
import * as employee from "../solutions/05-compose-employees/services/employee/src/app.ts";

/** The three services on free ports of 127.0.0.1, each asking its real parent, on one database. */
export async function serveAll(t: TestContext, env: Record<string, string | undefined>) {
  const companyUrl = await serve(t, company, env);
  const departmentUrl = await serve(t, department, env, { company: companyUrl });
  const employeeUrl = await serve(t, employee, env, { department: departmentUrl });
  return { company: companyUrl, department: departmentUrl, employee: employeeUrl };
}
