import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { IfMatchHeaders, ItemHeaders, notFound, type ParentService } from "@course/service-kit";
import { Type } from "typebox";
import type { EmployeeRepository } from "./repository.ts";
import { DepartmentParams, Employee, EmployeeBody, EmployeeParams } from "./schemas.ts";

const Problem = Type.Ref("Problem");
const tags = ["employees"];
const collection = "/companies/:companyId/departments/:departmentId/employees";
const item = `${collection}/:employeeId`;

export const employeeRoutes: FastifyPluginAsyncTypebox<{
  employees: EmployeeRepository;
  departmentService: ParentService;
}> = (app, { employees, departmentService }) => {
  app.get(
    collection,
    {
      schema: {
        tags,
        summary: "List a department's employees",
        params: DepartmentParams,
        response: { 200: Type.Array(Employee), 503: Problem },
      },
    },
    (request) => employees.list(request.params.companyId, request.params.departmentId),
  );

  app.post(
    collection,
    {
      schema: {
        tags,
        summary: "Create an employee in a department that exists",
        params: DepartmentParams,
        body: EmployeeBody,
        response: {
          201: { ...Employee, headers: ItemHeaders },
          400: Problem,
          404: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const { companyId, departmentId } = request.params;
      const department = `companies/${companyId}/departments/${departmentId}`;
      await departmentService.assertExists(
        department,
        `Department "${departmentId}" of company "${companyId}"`,
      );
      const { item, etag } = await employees.create(companyId, departmentId, request.body);
      return reply
        .code(201)
        .header("location", `/${department}/employees/${item.id}`)
        .header("etag", etag)
        .send(item);
    },
  );

  app.get(
    item,
    {
      schema: {
        tags,
        summary: "Get an employee",
        params: EmployeeParams,
        response: { 200: { ...Employee, headers: ItemHeaders }, 404: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const found = await employees.get(request.params);
      if (!found)
        throw notFound(
          `Employee "${request.params.employeeId}" does not exist in this department.`,
        );
      return reply.header("etag", found.etag).send(found.item);
    },
  );

  app.put(
    item,
    {
      schema: {
        tags,
        summary: "Replace an employee",
        params: EmployeeParams,
        headers: IfMatchHeaders,
        body: EmployeeBody,
        response: {
          200: { ...Employee, headers: ItemHeaders },
          404: Problem,
          412: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const { item, etag } = await employees.replace(
        request.params,
        request.body,
        request.headers["if-match"],
      );
      return reply.header("etag", etag).send(item);
    },
  );

  app.delete(
    item,
    {
      schema: {
        tags,
        summary: "Delete an employee",
        params: EmployeeParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), 404: Problem, 412: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      await employees.remove(request.params, request.headers["if-match"]);
      return reply.code(204).send(null);
    },
  );
  return Promise.resolve();
};
