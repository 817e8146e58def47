import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ROOM_ROUTES, RoomState, TrainerQuery, type RoomExport } from "../contract.ts";
import { requireTrainer } from "../auth.ts";
import { toCsv } from "../csv.ts";
import type { EventHub } from "../events.ts";
import { publicIndex, type ServedArchive } from "../images.ts";
import type { PageAssets } from "../page.ts";
import { SECURITY_HEADERS } from "../page.ts";
import type { RoomStore } from "../store.ts";

// The trainer's side: the page, its state and live events, and the day's export. All of it needs
// the trainer key; the page's script and style hold nothing secret and are served to anyone.

export interface TrainerRoutesOptions {
  store: RoomStore;
  hub: EventHub;
  trainerKey: string;
  archives: readonly ServedArchive[];
  page: PageAssets;
  room: { name?: string; startedAt: string };
}

export const trainerRoutes: FastifyPluginAsyncTypebox<TrainerRoutesOptions> = (
  app,
  { store, hub, trainerKey, archives, page, room },
) => {
  const schema = { querystring: TrainerQuery };

  app.get(ROOM_ROUTES.page, { schema }, async (request, reply) => {
    requireTrainer(request, trainerKey);
    return reply.type("text/html; charset=utf-8").send(page.html);
  });
  app.get(ROOM_ROUTES.pageScript, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(page.script),
  );
  app.get(ROOM_ROUTES.pageStyle, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").send(page.style),
  );

  app.get(ROOM_ROUTES.state, { schema: { ...schema, response: { 200: RoomState } } }, (request) => {
    requireTrainer(request, trainerKey);
    return { now: new Date().toISOString(), room, images: publicIndex(archives), ...store.view() };
  });

  app.get(ROOM_ROUTES.events, { schema }, (request, reply) => {
    requireTrainer(request, trainerKey);
    reply.hijack();
    reply.raw.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    hub.add(reply.raw);
  });

  const exported = (): RoomExport => ({
    exportedAt: new Date().toISOString(),
    trainees: store.view().trainees,
    reports: store.exportRows(),
  });
  const day = () => new Date().toISOString().slice(0, 10);

  app.get(ROOM_ROUTES.exportJson, { schema }, async (request, reply) => {
    requireTrainer(request, trainerKey);
    return reply
      .header("content-disposition", `attachment; filename="room-${day()}.json"`)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(exported(), null, 2));
  });
  app.get(ROOM_ROUTES.exportCsv, { schema }, async (request, reply) => {
    requireTrainer(request, trainerKey);
    return reply
      .header("content-disposition", `attachment; filename="room-${day()}.csv"`)
      .type("text/csv; charset=utf-8")
      .send(toCsv(store.exportRows()));
  });
  return Promise.resolve();
};
