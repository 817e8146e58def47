import { randomUUID } from "node:crypto";
import { createItems, matchIfMatch, notFound, type CosmosStore } from "@course/service-kit";
import type { Employee, EmployeeBody } from "./schemas.ts";

// Employees are partitioned by company: a department's employees, and any one employee, are read
// from one partition. An employee belongs to the department in its URL, or is not found there.
export const employeesContainer = { container: "employees", partitionKey: "/companyId" };

export interface EmployeeIds {
  companyId: string;
  departmentId: string;
  employeeId: string;
}

export function createEmployeeRepository(store: CosmosStore) {
  const items = createItems<Employee>(store, "Employee");

  async function get({ companyId, departmentId, employeeId }: EmployeeIds) {
    const found = await items.read(employeeId, companyId);
    return found?.item.departmentId === departmentId ? found : undefined;
  }

  // Replace and delete act only on an employee of the department in the URL; the ETag just read
  // makes the write conditional, so it cannot land on an employee that moved in the meantime,
  // whatever If-Match says (none, `*`, or a list with the current ETag in it).
  async function current(ids: EmployeeIds, ifMatch: string | undefined) {
    const found = await get(ids);
    if (!found) throw notFound(`Employee "${ids.employeeId}" does not exist in this department.`);
    return matchIfMatch(ifMatch, found.etag);
  }

  return {
    get,
    async list(companyId: string, departmentId: string) {
      const query =
        "SELECT * FROM c WHERE c.companyId = @companyId AND c.departmentId = @departmentId";
      const parameters = { "@companyId": companyId, "@departmentId": departmentId };
      const employees = await items.query(query, parameters, companyId);
      return employees.sort((a, b) => a.lastName.localeCompare(b.lastName));
    },
    create: (companyId: string, departmentId: string, body: EmployeeBody) =>
      items.create({ id: randomUUID(), companyId, departmentId, ...body }),
    async replace(ids: EmployeeIds, body: EmployeeBody, ifMatch?: string) {
      const { companyId, departmentId, employeeId } = ids;
      const employee = { id: employeeId, companyId, departmentId, ...body };
      return items.replace(employee, companyId, await current(ids, ifMatch));
    },
    async remove(ids: EmployeeIds, ifMatch?: string) {
      await items.remove(ids.employeeId, ids.companyId, await current(ids, ifMatch));
    },
  };
}

export type EmployeeRepository = ReturnType<typeof createEmployeeRepository>;
