import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { HttpProblem } from "@course/service-kit";
import {
  ImagesLoadedBody,
  JoinBody,
  JoinReply,
  ReportBody,
  ReportReply,
  ROOM_LIMITS,
  ROOM_ROUTES,
} from "../contract.ts";
import { bearer, sameSecret } from "../auth.ts";
import type { EventHub } from "../events.ts";
import type { RoomStore } from "../store.ts";

// What a trainee's course CLI sends: join once with the room code, then reports with the token.

export interface TraineeRoutesOptions {
  store: RoomStore;
  hub: EventHub;
  code: string;
  roomName?: string;
}

/** A name as the page shows it: trimmed, inner runs of spaces made one, no control characters. */
export function cleanName(raw: string) {
  const name = raw.trim().replace(/\s+/g, " ");
  if (name === "")
    throw new HttpProblem(400, "The name is empty: give the name the trainer should see.");
  if (/\p{Cc}/u.test(name))
    throw new HttpProblem(400, "The name has control characters: use plain text.");
  if (Array.from(name).length > ROOM_LIMITS.nameLength)
    throw new HttpProblem(
      400,
      `The name is longer than ${String(ROOM_LIMITS.nameLength)} characters: shorten it.`,
    );
  return name;
}

export const traineeRoutes: FastifyPluginAsyncTypebox<TraineeRoutesOptions> = (
  app,
  { store, hub, code, roomName },
) => {
  function traineeOf(request: FastifyRequest) {
    const token = bearer(request);
    if (token === undefined)
      throw new HttpProblem(
        401,
        "No trainee token: join the room first (`npx course room join`).",
        {
          "www-authenticate": "Bearer",
        },
      );
    const trainee = store.traineeByToken(token);
    if (trainee === undefined)
      throw new HttpProblem(403, "This token is not one of this room's: join the room again.");
    return trainee;
  }

  app.post(
    ROOM_ROUTES.join,
    {
      bodyLimit: ROOM_LIMITS.joinBody,
      // Before joining there is no token: limited per address, tighter, against guessing the code.
      config: { rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: { body: JoinBody, response: { 201: JoinReply } },
    },
    async (request, reply) => {
      if (!sameSecret(request.body.code.trim().toUpperCase(), code.toUpperCase()))
        throw new HttpProblem(403, "The room code is wrong: copy it from the board.");
      const { token, trainee, event } = store.join(cleanName(request.body.name));
      hub.publish(event);
      return reply.code(201).send({
        token,
        traineeId: trainee.id,
        room: roomName === undefined ? {} : { name: roomName },
      });
    },
  );

  app.post(
    ROOM_ROUTES.reports,
    {
      bodyLimit: ROOM_LIMITS.reportBody,
      schema: { body: ReportBody, response: { 202: ReportReply } },
    },
    async (request, reply) => {
      const trainee = traineeOf(request);
      const event = store.addReport(trainee.id, request.body);
      // The row is committed: this answer is the acknowledgement.
      if (event !== undefined) hub.publish(event);
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post(
    ROOM_ROUTES.imagesLoaded,
    { bodyLimit: ROOM_LIMITS.reportBody, schema: { body: ImagesLoadedBody } },
    async (request, reply) => {
      const trainee = traineeOf(request);
      const event = store.imagesLoaded(trainee.id, request.body);
      if (event !== undefined) hub.publish(event);
      return reply.code(204).send();
    },
  );
  return Promise.resolve();
};
