import assert from "node:assert/strict";
import { test } from "node:test";
import { KEPT_FROM } from "../render.ts";
import { renderRoom, withRoomSection } from "../room.ts";

const figures = {
  trainees: 30,
  reports: 2000,
  ingestPerSecond: 150,
  delayMs: { p50: 5, p99: 40, samples: 200 },
  rssBytes: 100 * 2 ** 20,
};

test("the room's section goes after the kept marker, replacing its last version only", () => {
  const page = `# Benchmarks\n\nmain figures\n\n${KEPT_FROM}\n\n## On a single-node swarm\n\nswarm\n`;
  const once = withRoomSection(page, renderRoom(figures, "2026-01-01"));
  assert.ok(once.indexOf("## The room") > once.indexOf(KEPT_FROM));
  const twice = withRoomSection(
    once,
    renderRoom({ ...figures, ingestPerSecond: 99 }, "2026-01-02"),
  );
  assert.equal(twice.split("## The room").length, 2, "one room section");
  assert.match(twice, /\| 99 a second \|/);
  assert.doesNotMatch(twice, /150 a second/);
  assert.match(twice, /## On a single-node swarm\n\nswarm/);
  assert.ok(withRoomSection("# Benchmarks\n", "## The room\n").includes(KEPT_FROM));
});
