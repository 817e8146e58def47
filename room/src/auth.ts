import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpProblem } from "@course/service-kit";
import { TRAINER_KEY_PARAM } from "./contract.ts";

// Who is asking: a trainee by their token, the trainer by the key. Both arrive as a Bearer token;
// the page and its event stream may carry the key as ?key= (a browser's EventSource sends no headers).

export function bearer(request: FastifyRequest) {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S{1,200})$/i.exec(header);
  return match?.[1];
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares in constant time, whatever the lengths. */
export const sameSecret = (given: string, expected: string) =>
  timingSafeEqual(digest(given), digest(expected));

export function requireTrainer(request: FastifyRequest, trainerKey: string) {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.[TRAINER_KEY_PARAM];
  const given = bearer(request) ?? (typeof fromQuery === "string" ? fromQuery : undefined);
  if (given === undefined)
    throw new HttpProblem(
      401,
      "The trainer key is missing: open the page with the URL `course room start` printed.",
      {
        "www-authenticate": "Bearer",
      },
    );
  if (!sameSecret(given, trainerKey))
    throw new HttpProblem(
      403,
      "The trainer key is wrong: use the one `course room start` printed.",
    );
}
