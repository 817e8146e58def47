import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { CosmosClient, type Container, type ItemDefinition } from "@azure/cosmos";
import type { FastifyBaseLogger } from "fastify";
import type { CosmosConfig, Throughput } from "./config.ts";
import { HttpProblem, unavailable } from "./problems.ts";

// One Cosmos DB container per service. Provisioning (database, container, seed data) runs in the
// background and is retried with backoff, so a service started before its database keeps running,
// says why it is not ready on /readyz, and becomes ready by itself when the database answers.
// What a client is told says what it can do (retry, fix a setting); the database client's own
// error, which may name internal hosts, goes to the log only.

export interface StoreOptions {
  config: CosmosConfig;
  container: string;
  partitionKey: string;
  seed: readonly ItemDefinition[];
  log: FastifyBaseLogger;
  /** How long one database call may take before the request gets a 503. */
  operationTimeoutMs?: number;
}

/** What a serverless account's refusal of a throughput setting becomes: one line, what to set. */
export const SERVERLESS_ADVICE =
  "the account is serverless and refuses any throughput setting: set COSMOSDB_THROUGHPUT_MODE=serverless";

/**
 * A serverless account answers a throughput setting (or an offer read) with 400 and a message
 * ending "… is not supported for serverless accounts." Retrying cannot help.
 */
export function isServerlessRefusal(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return (
    statusOf(error) === 400 &&
    typeof message === "string" &&
    /not supported for serverless accounts/i.test(message)
  );
}

/** The offer options (x-ms-offer-throughput, or autoscale settings) for the database and container. */
export function offers(throughput: Throughput) {
  switch (throughput.mode) {
    case "shared":
      return { database: { throughput: throughput.throughput }, container: {} };
    case "autoscale":
      return { database: { maxThroughput: throughput.maxThroughput }, container: {} };
    case "container":
      return { database: {}, container: { throughput: throughput.throughput } };
    case "serverless":
      return { database: {}, container: {} };
  }
}

/** Cosmos DB statuses that belong to the client, with what the client is told. */
const CLIENT_ERRORS: Record<number, string> = {
  404: "Not found: it may have been deleted.",
  409: "It already exists.",
  412: "It has changed since you read it: GET it again for the current ETag.",
};
const NOT_REACHABLE = "the database is not reachable or not provisioned yet; retry shortly";

export function createCosmosStore(options: StoreOptions) {
  const { config, log } = options;
  const operationTimeoutMs = options.operationTimeoutMs ?? 2500;
  const client = new CosmosClient({
    endpoint: config.endpoint,
    key: config.key,
    connectionPolicy: {
      // A single endpoint: the local server advertises https:// locations even over plain HTTP,
      // and following them would break; a one-region account loses nothing.
      enableEndpointDiscovery: false,
      requestTimeout: operationTimeoutMs,
      retryOptions: {
        maxRetryAttemptCount: 2,
        fixedRetryIntervalInMilliseconds: 200,
        maxWaitTimeInSeconds: 2,
      },
    },
  });
  const container: Container = client.database(config.database).container(options.container);
  let ready = false;
  let reason = "provisioning has not started; retry shortly";
  let provisioning: Promise<void> | undefined;
  let closed = false;
  /** Set when retrying cannot help (a serverless account refusing throughput): no more attempts. */
  let stuck: string | undefined;
  const offer = offers(config.throughput);
  const stopped = new AbortController();

  async function createIfMissing(create: () => Promise<unknown>) {
    try {
      await create();
    } catch (error) {
      // Another replica created it between our read and our create: that is what we wanted.
      if (statusOf(error) !== 409) throw error;
    }
  }

  async function provisionOnce() {
    const signal = AbortSignal.timeout(10_000);
    setMaxListeners(options.seed.length + 10, signal); // one listener per seed upsert below
    await createIfMissing(() =>
      client.databases.createIfNotExists(
        { id: config.database, ...offer.database },
        { abortSignal: signal },
      ),
    );
    await createIfMissing(() =>
      client.database(config.database).containers.createIfNotExists(
        {
          id: options.container,
          partitionKey: { paths: [options.partitionKey] },
          ...offer.container,
        },
        { abortSignal: signal },
      ),
    );
    // Upserts with fixed ids: running this in three replicas at once leaves each item once.
    await Promise.all(
      options.seed.map((item) => container.items.upsert(item, { abortSignal: signal })),
    );
  }

  function provision(): Promise<void> {
    provisioning ??= (async () => {
      for (let attempt = 1, delay = 250; !closed; attempt++, delay = Math.min(delay * 2, 5000)) {
        try {
          await provisionOnce();
          ready = true;
          reason = "ready";
          log.info(
            { container: options.container, seeded: options.seed.length, attempt },
            "database provisioned",
          );
          return;
        } catch (error) {
          ready = false;
          if (isServerlessRefusal(error)) {
            stuck = SERVERLESS_ADVICE;
            reason = stuck;
            log.error({ container: options.container }, stuck);
            return;
          }
          reason = NOT_REACHABLE;
          log.warn(
            { attempt, retryInMs: delay, error: describe(error) },
            "database not ready, retrying",
          );
          await sleep(delay, undefined, { signal: stopped.signal }).catch(() => undefined);
        }
      }
    })().finally(() => {
      provisioning = undefined;
    });
    return provisioning;
  }

  /** Asks the database whether our container is there; starts provisioning again if it is not. */
  async function check(): Promise<{ ready: boolean; reason: string }> {
    if (ready) {
      try {
        await container.read({ abortSignal: AbortSignal.timeout(operationTimeoutMs) });
      } catch (error) {
        ready = false;
        reason = NOT_REACHABLE;
        log.warn({ error: describe(error) }, "database lost, provisioning again");
      }
    }
    if (!ready && !closed && stuck === undefined) void provision();
    return { ready, reason };
  }

  const watch = setInterval(() => void check(), 5000);
  watch.unref();

  /**
   * Runs one data operation with a deadline. Cosmos DB status codes that belong to the client
   * (404, 409, 412) become problems; an unreachable database becomes a fast 503.
   */
  async function run<T>(
    operation: (container: Container, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (!ready) throw unavailable(`The database is not ready yet: ${reason}.`);
    // A controller and a timer cleared on the way out: AbortSignal.timeout() costs several times
    // as much per request, and this runs on every one.
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(new DOMException("The operation timed out.", "TimeoutError"));
    }, operationTimeoutMs);
    try {
      return await operation(container, deadline.signal);
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      const status = statusOf(error);
      const clientError = status === undefined ? undefined : CLIENT_ERRORS[status];
      if (status !== undefined && clientError !== undefined) {
        log.debug({ status, error: describe(error) }, "database refused the operation");
        throw new HttpProblem(status, clientError);
      }
      if (status === 429)
        throw unavailable("The database is busy (request rate too large); retry shortly.");
      log.warn({ error: describe(error) }, "database call failed");
      void check();
      throw unavailable("The database did not answer; retry shortly.");
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    run,
    check,
    start: () => void provision(),
    close() {
      closed = true;
      clearInterval(watch);
      stopped.abort();
      client.dispose();
      return Promise.resolve();
    },
  };
}

export type CosmosStore = ReturnType<typeof createCosmosStore>;

export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const first = error.message.split("\n")[0] ?? "";
    const prefix = typeof code === "string" || typeof code === "number" ? `${String(code)} ` : "";
    return `${prefix}${first}`.slice(0, 300);
  }
  return String(error);
}
