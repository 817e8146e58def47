import type { TestContext } from "node:test";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import pino from "pino";
import { createCosmosStore, type StoreOptions } from "../src/cosmos.ts";

/**
 * A store on a local Cosmos DB server of its own, provisioned and ready; both closed after the
 * test. Options as createCosmosStore's, with a silent log and no seed unless given.
 */
export async function readyLocalStore(
  t: TestContext,
  options: Pick<StoreOptions, "container" | "partitionKey"> &
    Partial<Pick<StoreOptions, "seed" | "log" | "operationTimeoutMs">> & { database: string },
) {
  const cosmos = await startLocalCosmos();
  t.after(() => cosmos.close());
  const store = createCosmosStore({
    config: {
      endpoint: cosmos.endpoint,
      key: LOCAL_COSMOS_KEY,
      database: options.database,
      throughput: { mode: "shared", throughput: 400 },
    },
    seed: [],
    log: pino({ level: "silent" }),
    ...options,
  });
  t.after(() => store.close());
  store.start();
  for (let i = 0; i < 100 && !(await store.check()).ready; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  if (!(await store.check()).ready)
    throw new Error("the store did not provision the local database");
  return store;
}
