import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import pino from "pino";

// What a service writes to its log: JSON lines on standard output, one per request, with the
// account key redacted, in batches so that logging costs a busy service little.

/** Anything pino can write JSON lines to, e.g. a Writable in a test. */
export interface LogStream {
  write(line: string): unknown;
}

/**
 * Where the account key could sit in something logged: the config or its `cosmos` part. Named one
 * by one: a wildcard path makes pino walk every object it logs. (A request is logged through
 * Fastify's serializer, which writes no headers.)
 */
const REDACTED_PATHS = ["config.cosmos.key", "cosmos.key", "key", "masterKey"];

/** One log line per request, written when its response is sent; Fastify's default writes two. */
class OneLinePerRequest extends LogController {
  override incomingRequest() {
    // The line written on completion says everything this one would.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request");
  }
}

/** How long a log line may wait in the buffer before it is written. */
export const LOG_FLUSH_MS = 200;

/**
 * Standard output, written in batches: a busy service writes many lines at once instead of one
 * write per line (each one wakes the reader at the other end of the pipe, the engine's logger),
 * and a quiet one within LOG_FLUSH_MS. pino writes what is left when the process exits.
 */
function batchedStdout() {
  const destination = pino.destination({ dest: 1, minLength: 4096, sync: false });
  const timer = setInterval(() => {
    destination.flush();
  }, LOG_FLUSH_MS);
  timer.unref();
  return {
    destination,
    stop: () => {
      clearInterval(timer);
    },
  };
}

/** The logger options and log controller a service's Fastify instance takes. */
export function serviceLogging(service: string, level: string, stream?: LogStream) {
  const stdout = stream ? undefined : batchedStdout();
  return {
    logger: {
      level,
      base: { service },
      redact: REDACTED_PATHS,
      stream: stream ?? stdout?.destination,
    },
    logController: new OneLinePerRequest(),
    /** Writes what is buffered; for when the app closes. */
    flush() {
      stdout?.stop();
      stdout?.destination.flushSync();
    },
  };
}
