import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyRequest } from "fastify";
import {
  HttpProblem,
  ProblemSchema,
  registerProblemHandlers,
  sendProblem,
  serviceLogging,
  type LogStream,
} from "@course/service-kit";
import { Health, ROOM_LIMITS, ROOM_ROUTES } from "./contract.ts";
import { bearer } from "./auth.ts";
import { createEventHub } from "./events.ts";
import type { ServedArchive } from "./images.ts";
import { loadPage, SECURITY_HEADERS, type PageAssets } from "./page.ts";
import { imageRoutes } from "./routes/images.ts";
import { trainerRoutes } from "./routes/trainer.ts";
import { traineeRoutes } from "./routes/trainee.ts";
import { hashToken, type RoomStore } from "./store.ts";

export interface RoomAppOptions {
  store: RoomStore;
  code: string;
  trainerKey: string;
  archives?: readonly ServedArchive[];
  roomName?: string;
  logLevel?: string;
  logStream?: LogStream;
  requestsPerMinute?: number;
  page?: PageAssets;
}

/**
 * The room as a Fastify app that does not listen: trainee routes (join, reports), the trainer's
 * page and export, the class images, /healthz. Every answer carries the security headers; every
 * error is problem+json. Closing the app ends the event streams and closes the database.
 */
export function buildRoomApp(options: RoomAppOptions) {
  const logging = serviceLogging("room", options.logLevel ?? "info", options.logStream);
  const app = Fastify({
    logger: logging.logger,
    logController: logging.logController,
    bodyLimit: ROOM_LIMITS.reportBody,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    frameworkErrors: (error, _request, reply) => {
      void sendProblem(reply, 400, `The request is not valid: ${error.message}`);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const hub = createEventHub();
  const startedAt = new Date().toISOString();

  app.addSchema(ProblemSchema);
  registerProblemHandlers(app);
  app.addHook("onSend", (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    done(null, payload);
  });
  app.addHook("preClose", (done) => {
    hub.close();
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    options.store.close();
    logging.flush();
    done();
  });

  void app.register(rateLimit, {
    max: options.requestsPerMinute ?? ROOM_LIMITS.requestsPerMinute,
    timeWindow: 60_000,
    // Per trainee token (its hash), or per address for requests that carry none.
    keyGenerator: (request: FastifyRequest) => {
      const token = bearer(request);
      return token === undefined ? `ip:${request.ip}` : `token:${hashToken(token)}`;
    },
    allowList: (request: FastifyRequest) => request.url === ROOM_ROUTES.health,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(
        429,
        `Too many requests: at most ${String(context.max)} a minute; try again in ${context.after}.`,
        { "retry-after": String(Math.ceil(context.ttl / 1000)) },
      ),
  });

  void app.register(async (routes) => {
    routes.get(ROOM_ROUTES.health, { schema: { response: { 200: Health } } }, () => ({
      status: "ok" as const,
    }));
    await routes.register(traineeRoutes, {
      store: options.store,
      hub,
      code: options.code,
      ...(options.roomName === undefined ? {} : { roomName: options.roomName }),
    });
    await routes.register(imageRoutes, { archives: options.archives ?? [] });
    await routes.register(trainerRoutes, {
      store: options.store,
      hub,
      trainerKey: options.trainerKey,
      archives: options.archives ?? [],
      page: options.page ?? loadPage(),
      room: { ...(options.roomName === undefined ? {} : { name: options.roomName }), startedAt },
    });
  });

  return { app, hub };
}

export type RoomApp = ReturnType<typeof buildRoomApp>["app"];
