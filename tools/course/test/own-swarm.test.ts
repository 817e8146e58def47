import assert from "node:assert/strict";
import { test } from "node:test";
import { ownSwarm } from "../src/lib/swarm.ts";

// `course check 6` leaves a swarm only when its own join started it: one started meanwhile by
// someone else (a trainee's `docker stack deploy`, a second check) stays.

function engine(joinStarts: boolean) {
  const calls: string[] = [];
  return {
    calls,
    join: () => {
      calls.push("join");
      return Promise.resolve(joinStarts);
    },
    leave: () => {
      calls.push("leave");
      return Promise.resolve();
    },
  };
}

test("a swarm this run started is left", async () => {
  const fake = engine(true);
  const swarm = ownSwarm(fake);
  await swarm.join();
  await swarm.leave();
  assert.deepEqual(fake.calls, ["join", "leave"]);
});

test("a swarm found already started (inactive before the builds, active at the join) stays", async () => {
  const fake = engine(false);
  const swarm = ownSwarm(fake);
  await swarm.join();
  await swarm.leave();
  assert.deepEqual(fake.calls, ["join"]);
});

test("a run that never reached the join leaves nothing", async () => {
  const fake = engine(true);
  await ownSwarm(fake).leave();
  assert.deepEqual(fake.calls, []);
});
