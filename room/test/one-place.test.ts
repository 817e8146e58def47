import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { EXERCISES } from "@course/cli";
import { parse } from "yaml";
import { ROOM_DEFAULT_PORT, ROOM_EXERCISES } from "../src/contract.ts";

// Facts the room states where the course's catalogue and its container files must agree.

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

test("the page's exercise columns are the catalogue's exercises", () => {
  assert.deepEqual(
    [...ROOM_EXERCISES],
    EXERCISES.map((e) => e.number),
  );
});

test("the Dockerfile and compose.yaml use the room's port", () => {
  const port = String(ROOM_DEFAULT_PORT);
  const dockerfile = read("../Dockerfile");
  assert.match(dockerfile, new RegExp(`^EXPOSE ${port}$`, "m"));
  for (const line of dockerfile.split("\n").filter((l) => l.startsWith("HEALTHCHECK")))
    assert.match(line, new RegExp(`"${port}", "/healthz"`), line);
  const compose = parse(read("../compose.yaml")) as { services: { room: { ports: string[] } } };
  assert.deepEqual(
    compose.services.room.ports.map((p) => p.split(":").at(-1)),
    [port],
  );
});
