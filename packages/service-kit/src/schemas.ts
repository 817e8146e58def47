import { Type } from "typebox";

/** Ids are what Cosmos DB accepts in a URL and a person can type: no / \ ? # or spaces. */
export const IdSchema = Type.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
  description: "Letters, digits, - and _, at most 64 characters",
  examples: ["northwind"],
});

export const IfMatchHeaders = Type.Object({
  "if-match": Type.Optional(
    Type.String({
      maxLength: 200,
      description: "The ETag from a GET: the change is refused with 412 if the item changed since",
    }),
  ),
});

export const ItemHeaders = {
  etag: Type.String({ description: "The item's version, for If-Match" }),
};
