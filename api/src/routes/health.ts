import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";

const healthRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    "/healthz",
    {
      schema: {
        summary: "The process is alive (for HEALTHCHECK and orchestrators)",
        tags: ["health"],
        response: { 200: Type.Object({ status: Type.Literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );
};

export default healthRoutes;
