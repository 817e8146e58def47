import Fastify, { type FastifyInstance } from "fastify";
import type { TestContext } from "node:test";
import app from "../src/app.js";

// The same app the server runs, with no open port; closed when the test ends.
export async function build(t: TestContext): Promise<FastifyInstance> {
  const fastify = Fastify();
  await fastify.register(app);
  await fastify.ready();
  t.after(() => fastify.close());
  return fastify;
}
