import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpServer } from "@vercel/cosmosdb-server";

/**
 * A Cosmos DB (NoSQL API) server in this process, over plain HTTP. It speaks the real protocol to
 * the real SDK and keeps everything in memory: a restart starts empty, and the services seed it again.
 */
export async function startLocalCosmos(
  port = 0,
  host = "127.0.0.1",
  /** Sees each request before the server answers it: how tests read what the SDK sends. */
  onRequest?: (request: IncomingMessage) => void,
) {
  // It answers `Connection: close` unless asked to keep connections alive, as Cosmos DB does:
  // without this every SDK request pays for a new TCP connection.
  const server = createHttpServer({ keepAlive: true });
  if (onRequest) server.prependListener("request", onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** The Cosmos DB emulator's published, well-known key: the local server accepts any base64 key. */
export const LOCAL_COSMOS_KEY =
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
