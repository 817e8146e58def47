// One TypeBox schema, two uses: Fastify validates and documents with it, TypeScript types with it.
import { Type, type Static } from "typebox";

export const BaseImageSchema = Type.Object({
  name: Type.String({ examples: ["alpine"] }),
  reference: Type.String({ description: "What you write after FROM", examples: ["alpine:3.24"] }),
  sizeMb: Type.Number({ description: "Approximate uncompressed size on linux/amd64, in MB" }),
  packageManager: Type.Union([Type.Literal("apk"), Type.Literal("apt"), Type.Literal("none")]),
  shell: Type.Boolean({ description: "Whether `docker run -it <image> sh` works" }),
  description: Type.String(),
});

export const ImageListQuery = Type.Object({
  maxSizeMb: Type.Optional(Type.Number({ minimum: 0, description: "Only images up to this size" })),
});

export const ImageParams = Type.Object({
  name: Type.String({ description: "The image's short name, e.g. node-alpine" }),
});

export const CompareQuery = Type.Object({
  a: Type.String({ examples: ["node"] }),
  b: Type.String({ examples: ["alpine"] }),
});

export const ComparisonSchema = Type.Object({
  a: BaseImageSchema,
  b: BaseImageSchema,
  smaller: Type.String({ description: "Name of the smaller image (a when equal)" }),
  differenceMb: Type.Number(),
  summary: Type.String({ examples: ["alpine is 1122 MB smaller than node"] }),
});

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
});

export type BaseImage = Static<typeof BaseImageSchema>;
