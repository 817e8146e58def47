// Starts the API without fastify-cli: `node dist/server.js`. Reads PORT and HOST, listens, and
// closes cleanly on SIGTERM so that `docker stop` takes a moment instead of 10 seconds.
import Fastify from "fastify";
import app from "./app.js";

function readPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a whole number from 0 to 65535, got "${value}"`);
    process.exit(1);
  }
  return port;
}

const port = readPort(process.env.PORT ?? "8000");
const host = process.env.HOST ?? "0.0.0.0";

const server = Fastify({ logger: { level: process.env.LOG_LEVEL ?? "info" } });
await server.register(app);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.log.info(`${signal} received, closing`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error(error);
        process.exit(1);
      },
    );
  });
}

try {
  await server.listen({ port, host });
} catch (error) {
  server.log.error(error);
  process.exit(1);
}
