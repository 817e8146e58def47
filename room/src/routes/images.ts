import { createReadStream } from "node:fs";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { HttpProblem } from "@course/service-kit";
import { ImageIndex, ImageParams, ROOM_ROUTES } from "../contract.ts";
import { parseRange, publicIndex, type ServedArchive } from "../images.ts";

// The class images, for `course images load <room>`: the index, and each archive with range
// requests so that an interrupted download resumes where it stopped.

export const imageRoutes: FastifyPluginAsyncTypebox<{
  archives: readonly ServedArchive[];
}> = (app, { archives }) => {
  app.get(ROOM_ROUTES.images, { schema: { response: { 200: ImageIndex } } }, () => ({
    archives: publicIndex(archives),
  }));

  app.get(ROOM_ROUTES.imageFile, { schema: { params: ImageParams } }, async (request, reply) => {
    const archive = archives.find((a) => a.name === request.params.name);
    if (archive === undefined)
      throw new HttpProblem(
        404,
        `No image archive named ${request.params.name.slice(0, 100)}: see ${ROOM_ROUTES.images}.`,
      );
    const etag = `"${archive.sha256}"`;
    const ifRange = request.headers["if-range"];
    const range =
      ifRange === undefined || ifRange === etag
        ? parseRange(request.headers.range, archive.size)
        : undefined;
    reply.header("accept-ranges", "bytes").header("etag", etag).type("application/octet-stream");
    reply.header(
      "content-disposition",
      `attachment; filename="${archive.name.replace(/[^\w.-]/g, "_")}"`,
    );
    if (range === "unsatisfiable")
      throw new HttpProblem(
        416,
        `The range is outside the archive's ${String(archive.size)} bytes.`,
        {
          "content-range": `bytes */${String(archive.size)}`,
        },
      );
    if (range === undefined) {
      reply.header("content-length", archive.size);
      return reply.send(createReadStream(archive.path));
    }
    reply
      .code(206)
      .header(
        "content-range",
        `bytes ${String(range.start)}-${String(range.end)}/${String(archive.size)}`,
      )
      .header("content-length", range.end - range.start + 1);
    return reply.send(createReadStream(archive.path, range));
  });
  return Promise.resolve();
};
