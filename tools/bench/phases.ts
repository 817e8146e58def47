import type { StartupPhases } from "./figures.ts";

// A service's start-up cut into phases from three clocks on the same machine: when `docker start`
// was called and `/readyz` answered 200 (the bench's), when the process began (the engine's
// State.StartedAt) and when the service said it listens (pino's `time`, in its JSON log lines).

export interface LogLine {
  time: number;
  msg: string;
}

/**
 * The JSON lines of `docker logs` for a container without a TTY: frames of an 8-byte header
 * (stream, 3 zero bytes, big-endian length) and their payload. Lines that are not JSON are left out.
 */
export function logLines(raw: Buffer): LogLine[] {
  let text = "";
  for (let at = 0; at + 8 <= raw.length;) {
    const size = raw.readUInt32BE(at + 4);
    text += raw.subarray(at + 8, at + 8 + size).toString("utf8");
    at += 8 + size;
  }
  return text.split("\n").flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Partial<LogLine>;
      return typeof parsed.time === "number" && typeof parsed.msg === "string"
        ? [{ time: parsed.time, msg: parsed.msg }]
        : [];
    } catch {
      return [];
    }
  });
}

/** Fastify's "Server listening at …" line, the first one logged since `started`. */
export const listeningLine = (logs: LogLine[], started: number) =>
  logs.find((line) => line.time >= started && line.msg.startsWith("Server listening"));

export function startupPhases(
  at: { called: number; started: number; ready: number },
  logs: LogLine[],
): StartupPhases {
  const listening = listeningLine(logs, at.started);
  if (!listening) throw new Error("the service logged no 'Server listening' line since it started");
  return {
    engine: (at.started - at.called) / 1000,
    listen: (listening.time - at.started) / 1000,
    ready: (at.ready - listening.time) / 1000,
  };
}
