import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { findImage, listImages } from "../catalogue.js";
import {
  BaseImageSchema,
  CompareQuery,
  ComparisonSchema,
  ErrorSchema,
  ImageListQuery,
  ImageParams,
} from "../schemas.js";

const imageRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    "/images",
    {
      schema: {
        summary: "List base images, smallest first",
        tags: ["images"],
        querystring: ImageListQuery,
        response: { 200: Type.Array(BaseImageSchema) },
      },
    },
    async (request) => listImages(request.query.maxSizeMb).sort((x, y) => x.sizeMb - y.sizeMb),
  );

  // Fastify's router prefers a static segment, so /images/compare never reaches /images/:name.
  fastify.get(
    "/images/compare",
    {
      schema: {
        summary: "Compare the sizes of two base images",
        tags: ["images"],
        querystring: CompareQuery,
        response: { 200: ComparisonSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const a = findImage(request.query.a);
      const b = findImage(request.query.b);
      const missing = a === undefined ? request.query.a : b === undefined ? request.query.b : null;
      if (a === undefined || b === undefined) {
        return reply.code(404).send(notFound(`No image named "${missing ?? ""}"`));
      }
      const [smaller, larger] = a.sizeMb <= b.sizeMb ? [a, b] : [b, a];
      const differenceMb = larger.sizeMb - smaller.sizeMb;
      return {
        a,
        b,
        smaller: smaller.name,
        differenceMb,
        summary: `${smaller.name} is ${differenceMb} MB smaller than ${larger.name}`,
      };
    },
  );

  fastify.get(
    "/images/:name",
    {
      schema: {
        summary: "One base image",
        tags: ["images"],
        params: ImageParams,
        response: { 200: BaseImageSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const image = findImage(request.params.name);
      if (image === undefined) {
        return reply.code(404).send(notFound(`No image named "${request.params.name}"`));
      }
      return image;
    },
  );
};

function notFound(message: string) {
  return { statusCode: 404, error: "Not Found", message };
}

export default imageRoutes;
