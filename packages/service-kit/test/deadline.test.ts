// Every database call has a deadline: one that has not answered by then is given up and the
// request gets a 503 at once, instead of waiting for the SDK's own retries and timeouts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpProblem } from "../src/problems.ts";
import { readyLocalStore } from "./local-store.ts";

test(
  "a call that does not answer by its deadline is aborted and becomes a 503",
  { timeout: 10_000 },
  async (t) => {
    const store = await readyLocalStore(t, {
      database: "deadline",
      container: "things",
      partitionKey: "/id",
      seed: [{ id: "one" }],
      operationTimeoutMs: 300,
    });

    // A call that answers in time is not disturbed by the deadline.
    const read = await store.run(async (container, abortSignal) => {
      const { resource } = await container.item("one", "one").read<{ id: string }>({ abortSignal });
      return resource?.id;
    });
    assert.equal(read, "one");

    // One that never answers: the signal given to it fires at the deadline.
    const started = performance.now();
    let aborted: unknown;
    const hanging = store.run(
      (_container, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
            reject(signal.reason as Error);
          });
        }),
    );
    await assert.rejects(hanging, (error: unknown) => {
      assert.ok(error instanceof HttpProblem);
      assert.equal(error.status, 503);
      assert.match(error.detail, /did not answer/);
      return true;
    });
    const waited = performance.now() - started;
    assert.ok(waited >= 290 && waited < 2000, `gave up after ${waited.toFixed(0)} ms`);
    assert.equal((aborted as DOMException).name, "TimeoutError");
  },
);
