import { Type, type Static } from "typebox";
import { IdSchema } from "@course/service-kit";

// One TypeBox schema, three uses: it validates requests, documents them at /docs, and is the type.

export const CompanyParams = Type.Object({ companyId: IdSchema });

export const CompanyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, examples: ["Northwind Traders"] }),
    industry: Type.String({
      minLength: 1,
      maxLength: 100,
      examples: ["Wholesale food distribution"],
    }),
    country: Type.String({
      pattern: "^[A-Z]{2}$",
      description: "ISO 3166-1 alpha-2 code",
      examples: ["GB"],
    }),
    founded: Type.Integer({ minimum: 1600, maximum: 2100, examples: [1994] }),
  },
  { additionalProperties: false },
);

export const Company = Type.Object({ id: IdSchema, ...CompanyBody.properties }, { $id: "Company" });

export type CompanyBody = Static<typeof CompanyBody>;
export type Company = Static<typeof Company>;
