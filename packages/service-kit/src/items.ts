import type { ItemDefinition, RequestOptions } from "@azure/cosmos";
import { statusOf, type CosmosStore } from "./cosmos.ts";
import { HttpProblem, notFound, preconditionFailed } from "./problems.ts";

// Item reads and writes with HTTP semantics: system properties stripped, ETags quoted as HTTP wants
// them, If-Match passed to Cosmos DB as an access condition (so a lost update is refused by the
// database itself, not by a read-compare-write race in this process).

export interface Stored<T> {
  item: T;
  etag: string;
}

/** Cosmos DB sends `"0000-…"` with quotes; some local servers send it bare. HTTP wants quotes. */
export const httpEtag = (cosmosEtag: string) =>
  cosmosEtag.startsWith('"') ? cosmosEtag : `"${cosmosEtag}"`;

function stored<T>(resource: ItemDefinition): Stored<T> {
  // The system properties Cosmos DB adds to every item are not part of the API's items.
  const { _rid, _self, _etag, _ts, _attachments, ...item } = resource;
  return { item: item as T, etag: httpEtag(String(_etag)) };
}

export function createItems<T extends { id: string }>(store: CosmosStore, noun: string) {
  // Whether this database's ETags carry quotes; learned from the first item seen.
  let quotedEtags: boolean | undefined;
  const learn = (resource: ItemDefinition | undefined) => {
    if (resource?._etag !== undefined) quotedEtags = String(resource._etag).startsWith('"');
    return resource;
  };

  async function ifMatchOption(
    id: string,
    partitionKey: string,
    ifMatch: string | undefined,
  ): Promise<RequestOptions> {
    if (ifMatch === undefined || ifMatch.trim() === "*") return {};
    const tag = /^\s*(?:W\/)?"?([^",]*)"?/.exec(ifMatch)?.[1] ?? "";
    if (quotedEtags === undefined) await read(id, partitionKey);
    return {
      accessCondition: { type: "IfMatch", condition: quotedEtags === false ? tag : `"${tag}"` },
    };
  }

  function refuse(error: unknown, id: string): never {
    const status = statusOf(error);
    if (status === 404) throw notFound(`${noun} "${id}" does not exist.`);
    if (status === 412) {
      throw preconditionFailed(
        `${noun} "${id}" has changed since you read it: GET it again for the current ETag.`,
      );
    }
    if (status === 409) throw new HttpProblem(409, `${noun} "${id}" already exists.`);
    throw error;
  }

  async function read(id: string, partitionKey: string): Promise<Stored<T> | undefined> {
    return store.run(async (container, abortSignal) => {
      const { resource } = await container
        .item(id, partitionKey)
        .read<ItemDefinition>({ abortSignal });
      return resource === undefined ? undefined : stored<T>(learn(resource) ?? resource);
    });
  }

  return {
    read,

    async query(
      query: string,
      parameters: Record<string, string> = {},
      partitionKey?: string,
    ): Promise<T[]> {
      return store.run(async (container, abortSignal) => {
        const spec = {
          query,
          parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })),
        };
        const { resources } = await container.items
          .query<ItemDefinition>(
            spec,
            partitionKey === undefined ? { abortSignal } : { partitionKey, abortSignal },
          )
          .fetchAll();
        return resources.map((resource) => stored<T>(resource).item);
      });
    },

    async create(item: T): Promise<Stored<T>> {
      return store.run(async (container, abortSignal) => {
        try {
          const { resource } = await container.items.create<ItemDefinition>(item, { abortSignal });
          return stored<T>(learn(resource) ?? item);
        } catch (error) {
          return refuse(error, item.id);
        }
      });
    },

    async replace(item: T, partitionKey: string, ifMatch?: string): Promise<Stored<T>> {
      const options = await ifMatchOption(item.id, partitionKey, ifMatch);
      return store.run(async (container, abortSignal) => {
        try {
          const { resource } = await container
            .item(item.id, partitionKey)
            .replace<ItemDefinition>(item, {
              ...options,
              abortSignal,
            });
          return stored<T>(learn(resource) ?? item);
        } catch (error) {
          return refuse(error, item.id);
        }
      });
    },

    async remove(id: string, partitionKey: string, ifMatch?: string): Promise<void> {
      const options = await ifMatchOption(id, partitionKey, ifMatch);
      await store.run(async (container, abortSignal) => {
        try {
          await container.item(id, partitionKey).delete({ ...options, abortSignal });
        } catch (error) {
          refuse(error, id);
        }
      });
    },
  };
}

export type Items<T extends { id: string }> = ReturnType<typeof createItems<T>>;
