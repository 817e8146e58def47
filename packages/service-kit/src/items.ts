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

/** An If-Match header's strong entity tags, quoted; "*"; or undefined without the header. */
function strongTags(header: string | undefined): string[] | "*" | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  return header
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "" && !tag.startsWith("W/"))
    .map(httpEtag);
}

const onlyWeak = () =>
  preconditionFailed(
    "If-Match names only weak ETags (W/…), which never match a change: send the ETag from a GET as it is.",
  );

/**
 * The ETag that If-Match (RFC 9110, 13.1.1) lets a write be conditioned on, given the item's
 * current one: the current ETag for no header or `*`, a strong tag of the list equal to it, or a
 * 412. A weak tag (W/"…") never matches: a change needs the exact version. A bare, unquoted tag is
 * read as if quoted, as curl users often send it.
 */
export function matchIfMatch(header: string | undefined, current: string): string {
  const tags = strongTags(header);
  if (tags === undefined || tags === "*" || tags.includes(current)) return current;
  if (tags.length === 0) throw onlyWeak();
  throw preconditionFailed("It has changed since you read it: GET it again for the current ETag.");
}

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

  // One strong tag is passed to Cosmos DB as it is; with several, the current ETag decides which
  // (if any) the write is conditioned on, and the database still refuses it if the item changes.
  async function ifMatchOption(
    id: string,
    partitionKey: string,
    ifMatch: string | undefined,
  ): Promise<RequestOptions> {
    const tags = strongTags(ifMatch);
    if (tags === undefined || tags === "*") return {};
    if (tags.length === 0) throw onlyWeak();
    let tag = tags[0] ?? "";
    if (tags.length > 1) {
      const found = await read(id, partitionKey);
      if (!found) throw notFound(`${noun} "${id}" does not exist.`);
      tag = matchIfMatch(ifMatch, found.etag);
    }
    if (quotedEtags === undefined) await read(id, partitionKey);
    const condition = quotedEtags === false ? tag.slice(1, -1) : tag;
    return { accessCondition: { type: "IfMatch", condition } };
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
