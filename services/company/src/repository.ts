import { randomUUID } from "node:crypto";
import { createItems, type CosmosStore } from "@course/service-kit";
import type { Company, CompanyBody } from "./schemas.ts";

// Companies are partitioned by their own id: reading one company is a single-partition point read.
export const companiesContainer = { container: "companies", partitionKey: "/id" };

export function createCompanyRepository(store: CosmosStore) {
  const items = createItems<Company>(store, "Company");
  return {
    async list() {
      const companies = await items.query("SELECT * FROM c");
      return companies.sort((a, b) => a.name.localeCompare(b.name));
    },
    get: (companyId: string) => items.read(companyId, companyId),
    create: (body: CompanyBody) => items.create({ id: randomUUID(), ...body }),
    replace: (companyId: string, body: CompanyBody, ifMatch?: string) =>
      items.replace({ id: companyId, ...body }, companyId, ifMatch),
    remove: (companyId: string, ifMatch?: string) => items.remove(companyId, companyId, ifMatch),
  };
}

export type CompanyRepository = ReturnType<typeof createCompanyRepository>;
