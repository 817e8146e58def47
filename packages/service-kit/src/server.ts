import type { ServiceConfig } from "./config.ts";
import type { ServiceApp } from "./app.ts";

/** Hard limit on shutdown: `docker stop` waits 10 s, compose users expect far less. */
const SHUTDOWN_DEADLINE_MS = 1500;

/**
 * Listens, and on SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish,
 * closes the database client and exits 0. Requests still running at the deadline are cut off.
 */
export async function listen(app: ServiceApp, config: Pick<ServiceConfig, "port" | "host">) {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      app.log.warn("in-flight requests did not finish in time; closing their connections");
      app.server.closeAllConnections();
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await app.listen({ port: config.port, host: config.host });
}
