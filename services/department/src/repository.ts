import { randomUUID } from "node:crypto";
import { createItems, type CosmosStore } from "@course/service-kit";
import type { Department, DepartmentBody } from "./schemas.ts";

// Departments are partitioned by company: listing a company's departments reads one partition.
export const departmentsContainer = { container: "departments", partitionKey: "/companyId" };

export function createDepartmentRepository(store: CosmosStore) {
  const items = createItems<Department>(store, "Department");
  return {
    async list(companyId: string) {
      const query = "SELECT * FROM c WHERE c.companyId = @companyId";
      const departments = await items.query(query, { "@companyId": companyId }, companyId);
      return departments.sort((a, b) => a.name.localeCompare(b.name));
    },
    get: (companyId: string, departmentId: string) => items.read(departmentId, companyId),
    create: (companyId: string, body: DepartmentBody) =>
      items.create({ id: randomUUID(), companyId, ...body }),
    replace: (companyId: string, departmentId: string, body: DepartmentBody, ifMatch?: string) =>
      items.replace({ id: departmentId, companyId, ...body }, companyId, ifMatch),
    remove: (companyId: string, departmentId: string, ifMatch?: string) =>
      items.remove(departmentId, companyId, ifMatch),
  };
}

export type DepartmentRepository = ReturnType<typeof createDepartmentRepository>;
