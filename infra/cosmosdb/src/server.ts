import { startLocalCosmos } from "./local-cosmos.ts";

const port = Number(process.env.PORT ?? 8081);
const host = process.env.HOST ?? "0.0.0.0";

startLocalCosmos(port, host).then(
  (cosmos) => {
    console.log(
      JSON.stringify({
        level: 30,
        service: "cosmosdb",
        msg: `local Cosmos DB listening on ${host}:${cosmos.port}`,
      }),
    );
    const stop = () => void cosmos.close().then(() => process.exit(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  },
  (error: unknown) => {
    console.error(`local Cosmos DB could not listen on ${host}:${port}: ${String(error)}`);
    process.exit(1);
  },
);
