import { Type, type Static } from "typebox";
import { IdSchema } from "@course/service-kit";

// One TypeBox schema, three uses: it validates requests, documents them at /docs, and is the type.

export const DepartmentParams = Type.Object({ companyId: IdSchema, departmentId: IdSchema });
export const EmployeeParams = Type.Object({
  companyId: IdSchema,
  departmentId: IdSchema,
  employeeId: IdSchema,
});

export const EmployeeBody = Type.Object(
  {
    firstName: Type.String({ minLength: 1, maxLength: 100, examples: ["Amelia"] }),
    lastName: Type.String({ minLength: 1, maxLength: 100, examples: ["Hughes"] }),
    email: Type.String({
      format: "email",
      maxLength: 254,
      examples: ["amelia.hughes@northwind.example"],
    }),
    role: Type.String({ minLength: 1, maxLength: 100, examples: ["Route Analyst"] }),
    startDate: Type.String({ format: "date", examples: ["2023-06-05"] }),
  },
  { additionalProperties: false },
);

export const Employee = Type.Object(
  { id: IdSchema, companyId: IdSchema, departmentId: IdSchema, ...EmployeeBody.properties },
  { $id: "Employee" },
);

export type EmployeeBody = Static<typeof EmployeeBody>;
export type Employee = Static<typeof Employee>;
