// The application as a Fastify plugin. It does not listen: `fastify start dist/app.js`
// (fastify-cli) or src/server.ts builds the server, and tests call it through `app.inject`.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, FastifyPluginOptions } from "fastify";
import healthRoutes from "./routes/health.js";
import imageRoutes from "./routes/images.js";

export default async function app(
  fastify: FastifyInstance,
  _opts: FastifyPluginOptions,
): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      info: {
        title: "Docker base images",
        description: "The sample API of the Advanced Docker course: base images and their sizes.",
        version: "1.0.0",
      },
    },
  });
  await fastify.register(swaggerUi, { routePrefix: "/docs" });

  await fastify.register(healthRoutes);
  await fastify.register(imageRoutes);

  fastify.get("/", { schema: { hide: true } }, async (_request, reply) => reply.redirect("/docs"));

  fastify.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: "Not Found",
      message: `No route for ${request.method} ${request.url}; see /docs for what exists`,
    }),
  );
}
