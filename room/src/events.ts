import type { ServerResponse } from "node:http";
import type { RoomEvent } from "./contract.ts";

// The page's live feed: Server-Sent Events, one `data:` line of JSON per stored result. A comment
// line every 15 s keeps proxies and the browser from timing the stream out.

const HEARTBEAT_MS = 15_000;

export function createEventHub() {
  const streams = new Set<ServerResponse>();
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(": ping\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    add(stream: ServerResponse) {
      streams.add(stream);
      stream.on("close", () => streams.delete(stream));
      // The browser reconnects after 1 s when the stream drops (the room restarted).
      stream.write("retry: 1000\n\n");
    },
    publish(event: RoomEvent) {
      if (streams.size === 0) return;
      const line = `data: ${JSON.stringify(event)}\n\n`;
      for (const stream of streams) stream.write(line);
    },
    get size() {
      return streams.size;
    },
    close() {
      clearInterval(heartbeat);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
