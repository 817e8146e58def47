import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { IfMatchHeaders, ItemHeaders, notFound } from "@course/service-kit";
import { Type } from "typebox";
import type { CompanyRepository } from "./repository.ts";
import { Company, CompanyBody, CompanyParams } from "./schemas.ts";

const Problem = Type.Ref("Problem");
const tags = ["companies"];

export const companyRoutes: FastifyPluginAsyncTypebox<{ companies: CompanyRepository }> = (
  app,
  { companies },
) => {
  app.get(
    "/companies",
    {
      schema: {
        tags,
        summary: "List companies",
        response: { 200: Type.Array(Company), 503: Problem },
      },
    },
    () => companies.list(),
  );

  app.post(
    "/companies",
    {
      schema: {
        tags,
        summary: "Create a company",
        body: CompanyBody,
        response: { 201: { ...Company, headers: ItemHeaders }, 400: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const { item, etag } = await companies.create(request.body);
      return reply
        .code(201)
        .header("location", `/companies/${item.id}`)
        .header("etag", etag)
        .send(item);
    },
  );

  app.get(
    "/companies/:companyId",
    {
      schema: {
        tags,
        summary: "Get a company",
        params: CompanyParams,
        response: { 200: { ...Company, headers: ItemHeaders }, 404: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const found = await companies.get(request.params.companyId);
      if (!found) throw notFound(`Company "${request.params.companyId}" does not exist.`);
      return reply.header("etag", found.etag).send(found.item);
    },
  );

  app.put(
    "/companies/:companyId",
    {
      schema: {
        tags,
        summary: "Replace a company",
        params: CompanyParams,
        headers: IfMatchHeaders,
        body: CompanyBody,
        response: {
          200: { ...Company, headers: ItemHeaders },
          404: Problem,
          412: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const { companyId } = request.params;
      const { item, etag } = await companies.replace(
        companyId,
        request.body,
        request.headers["if-match"],
      );
      return reply.header("etag", etag).send(item);
    },
  );

  app.delete(
    "/companies/:companyId",
    {
      schema: {
        tags,
        summary: "Delete a company",
        params: CompanyParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 404: Problem, 412: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      await companies.remove(request.params.companyId, request.headers["if-match"]);
      return reply.code(204).send(null);
    },
  );
  return Promise.resolve();
};
