import { Type, type Static } from "typebox";
import { IdSchema } from "@course/service-kit";

// One TypeBox schema, three uses: it validates requests, documents them at /docs, and is the type.

export const CompanyParams = Type.Object({ companyId: IdSchema });
export const DepartmentParams = Type.Object({ companyId: IdSchema, departmentId: IdSchema });

export const DepartmentBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, examples: ["Logistics"] }),
    location: Type.String({ minLength: 1, maxLength: 100, examples: ["Leeds"] }),
  },
  { additionalProperties: false },
);

export const Department = Type.Object(
  { id: IdSchema, companyId: IdSchema, ...DepartmentBody.properties },
  { $id: "Department" },
);

export type DepartmentBody = Static<typeof DepartmentBody>;
export type Department = Static<typeof Department>;
