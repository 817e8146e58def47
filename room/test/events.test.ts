import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoomEvent } from "../src/contract.ts";
import { ROOM_ROUTES } from "../src/contract.ts";
import { build, checkBody, join, KEY, report } from "./helper.ts";

test("the event stream carries each stored result, once, to the trainer only", async (t) => {
  const { app } = await build(t);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const base = `http://127.0.0.1:${String(typeof address === "object" && address ? address.port : 0)}`;
  assert.equal((await fetch(`${base}${ROOM_ROUTES.events}`)).status, 401);

  const controller = new AbortController();
  t.after(() => {
    controller.abort();
  });
  const stream = await fetch(`${base}${ROOM_ROUTES.events}?key=${KEY}`, {
    signal: controller.signal,
  });
  assert.equal(stream.status, 200);
  assert.match(String(stream.headers.get("content-type")), /text\/event-stream/);
  assert.match(String(stream.headers.get("content-security-policy")), /default-src 'none'/);
  const reader = stream.body?.pipeThrough(new TextDecoderStream()).getReader();
  assert.ok(reader);

  const ada = await join(app, "Ada");
  const body = checkBody(5, "employee-service");
  for (let i = 0; i < 2; i++) await report(app, ada.token, body);

  await report(app, ada.token, checkBody(6));

  const events: RoomEvent[] = [];
  let buffered = "";
  while (events.length < 3) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const parts = buffered.split("\n\n");
    buffered = parts.pop() ?? "";
    for (const part of parts)
      for (const line of part.split("\n"))
        if (line.startsWith("data: ")) events.push(JSON.parse(line.slice(6)) as RoomEvent);
  }
  // The resent report made no event: the third is exercise 6's.
  assert.deepEqual(
    events.map((e) => [e.kind, e.cell?.exercise]),
    [
      ["joined", undefined],
      ["check", 5],
      ["check", 6],
    ],
  );
  assert.equal(events[1]?.cell?.failing?.title, "Check employee-service");
  assert.equal(events[1].perExercise?.failing, 1);
});
