import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { IfMatchHeaders, ItemHeaders, notFound, type ParentService } from "@course/service-kit";
import { Type } from "typebox";
import type { DepartmentRepository } from "./repository.ts";
import { CompanyParams, Department, DepartmentBody, DepartmentParams } from "./schemas.ts";

const Problem = Type.Ref("Problem");
const tags = ["departments"];
const collection = "/companies/:companyId/departments";
const item = `${collection}/:departmentId`;

export const departmentRoutes: FastifyPluginAsyncTypebox<{
  departments: DepartmentRepository;
  companyService: ParentService;
}> = (app, { departments, companyService }) => {
  app.get(
    collection,
    {
      schema: {
        tags,
        summary: "List a company's departments",
        params: CompanyParams,
        response: { 200: Type.Array(Department), 503: Problem },
      },
    },
    (request) => departments.list(request.params.companyId),
  );

  app.post(
    collection,
    {
      schema: {
        tags,
        summary: "Create a department in a company that exists",
        params: CompanyParams,
        body: DepartmentBody,
        response: {
          201: { ...Department, headers: ItemHeaders },
          400: Problem,
          404: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const { companyId } = request.params;
      await companyService.assertExists(`companies/${companyId}`, `Company "${companyId}"`);
      const { item, etag } = await departments.create(companyId, request.body);
      return reply
        .code(201)
        .header("location", `/companies/${companyId}/departments/${item.id}`)
        .header("etag", etag)
        .send(item);
    },
  );

  app.get(
    item,
    {
      schema: {
        tags,
        summary: "Get a department",
        params: DepartmentParams,
        response: { 200: { ...Department, headers: ItemHeaders }, 404: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const { companyId, departmentId } = request.params;
      const found = await departments.get(companyId, departmentId);
      if (!found)
        throw notFound(`Department "${departmentId}" does not exist in company "${companyId}".`);
      return reply.header("etag", found.etag).send(found.item);
    },
  );

  app.put(
    item,
    {
      schema: {
        tags,
        summary: "Replace a department",
        params: DepartmentParams,
        headers: IfMatchHeaders,
        body: DepartmentBody,
        response: {
          200: { ...Department, headers: ItemHeaders },
          404: Problem,
          412: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const { companyId, departmentId } = request.params;
      const ifMatch = request.headers["if-match"];
      const { item, etag } = await departments.replace(
        companyId,
        departmentId,
        request.body,
        ifMatch,
      );
      return reply.header("etag", etag).send(item);
    },
  );

  app.delete(
    item,
    {
      schema: {
        tags,
        summary: "Delete a department",
        params: DepartmentParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 404: Problem, 412: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const { companyId, departmentId } = request.params;
      await departments.remove(companyId, departmentId, request.headers["if-match"]);
      return reply.code(204).send(null);
    },
  );
  return Promise.resolve();
};
