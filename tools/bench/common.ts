import { join } from "node:path";
import { MICROSERVICES } from "@course/stack";

// What the benchmark's steps share: how a step is announced, where the repository is, the
// services by name, and the seed data they read and write (one company and one of its departments).

const root = join(import.meta.dirname, "../..");
export const inRepo = (path: string) => join(root, path);

export const step = (text: string) => {
  console.log(`\n▶ ${text}`);
};

/** A service of the stack registry, by its name (not by its place in the registry). */
export function service(name: string) {
  const found = MICROSERVICES.find((s) => s.name === name);
  if (found === undefined) throw new Error(`the stack registry has no ${name} service`);
  return found;
}

/** The seed company and department every measured request reads or writes under. */
export const SAMPLE = { companyId: "northwind", departmentId: "northwind-it" } as const;
export const COMPANY_PATH = `/companies/${SAMPLE.companyId}`;
export const DEPARTMENTS_PATH = `${COMPANY_PATH}/departments`;
export const EMPLOYEES_PATH = `${DEPARTMENTS_PATH}/${SAMPLE.departmentId}/employees`;
