import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";

// Every failure leaves a service as application/problem+json (RFC 9457), so that a client, or a
// trainee with curl, always gets the same four fields and a sentence saying what to do.

export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: "A URI naming the kind of problem; about:blank when the status says it all",
    }),
    title: Type.String({ description: "The HTTP status phrase" }),
    status: Type.Integer(),
    detail: Type.String({ description: "What went wrong, for a person" }),
    instance: Type.Optional(Type.String()),
  },
  { $id: "Problem", description: "An RFC 9457 problem detail" },
);

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
  }
}

export const notFound = (detail: string) => new HttpProblem(404, detail);
export const preconditionFailed = (detail: string) => new HttpProblem(412, detail);
export const unavailable = (detail: string, retryAfterSeconds = 2) =>
  new HttpProblem(503, detail, { "retry-after": String(retryAfterSeconds) });

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  headers: Record<string, string> = {},
) {
  return reply
    .code(status)
    .headers(headers)
    .type("application/problem+json")
    .send({
      type: "about:blank",
      title: STATUS_CODES[status] ?? "Error",
      status,
      detail,
      instance: reply.request.url.slice(0, 512),
    });
}

// Fastify's own errors for bad requests, with a sentence a person can act on.
const FRAMEWORK_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "Send the body as JSON with Content-Type: application/json.",
  FST_ERR_CTP_BODY_TOO_LARGE: "The request body is too large.",
  FST_ERR_CTP_EMPTY_JSON_BODY: "The body is empty but Content-Type says JSON: send a JSON object.",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "Content-Length does not match the body.",
  FST_ERR_BAD_URL: "The URL is not valid: check its percent-encoding.",
  FST_ERR_ASYNC_CONSTRAINT: "The request could not be routed.",
};

function detailFor(error: FastifyError, request: FastifyRequest): string {
  const [first] = error.validation ?? [];
  if (first) {
    // e.g. "Invalid body: founded must be integer", "Invalid params: companyId must match pattern…"
    const where = error.validationContext ?? "request";
    const field = first.instancePath.replace(/^\//, "").replaceAll("/", ".");
    const extra = first.params.additionalProperty;
    if (typeof extra === "string") return `Invalid ${where}: "${extra}" is not a known field.`;
    return `Invalid ${where}: ${field === "" ? where : field} ${first.message ?? "is not valid"}.`;
  }
  const known = FRAMEWORK_DETAILS[error.code];
  if (known) return known;
  if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return "The body is not valid JSON: check its quotes, commas and brackets.";
  }
  return `${request.method} ${request.url.slice(0, 200)} failed: ${error.message}`;
}

export function registerProblemHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) {
      return sendProblem(reply, error.status, error.detail, error.headers);
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      return sendProblem(
        reply,
        500,
        "The service failed to handle this request; it has been logged.",
      );
    }
    return sendProblem(reply, status, detailFor(error, request));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      404,
      `No route for ${request.method} ${request.url.slice(0, 200)}: see /docs.`,
    ),
  );
}
