import autocannon from "autocannon";
import type { LoadFigures } from "./figures.ts";

// Two ways to measure the same thing at the same concurrency for the same time: autocannon for an
// HTTP endpoint, and a pool of async workers for a direct SDK call. Both report requests per
// second and p50/p99 latency in milliseconds.

export const LOAD = { connections: 10, seconds: 5 };

export async function http(options: autocannon.Options): Promise<LoadFigures> {
  const result = await autocannon({
    connections: LOAD.connections,
    duration: LOAD.seconds,
    ...options,
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

/** Loads compared with each other: their rounds, taken in turns, and the median round of each. */
export type Alternating<K extends string> = Record<
  K,
  { median: LoadFigures; rounds: LoadFigures[] }
>;

/**
 * Loads that are compared with each other run in turns (a, b, c, a, b, c, …), each after a
 * one-second warm-up, so that a slow moment of the machine falls on all of them alike. Each gets
 * its rounds and the round with its median req/s.
 */
export async function alternating<K extends string>(
  urls: Record<K, string>,
  rounds = 3,
): Promise<Alternating<K>> {
  const keys = Object.keys(urls) as K[];
  for (const key of keys) await http({ url: urls[key], duration: 1 });
  const taken = new Map<K, LoadFigures[]>(keys.map((key) => [key, []]));
  for (let round = 0; round < rounds; round++)
    for (const key of keys) taken.get(key)?.push(await http({ url: urls[key] }));
  return Object.fromEntries(
    keys.map((key) => {
      const figures = taken.get(key) ?? [];
      const sorted = [...figures].sort((a, b) => a.rps - b.rps);
      const median = sorted[Math.floor(sorted.length / 2)];
      if (!median) throw new Error(`no load was measured for ${key}`);
      return [key, { median, rounds: figures }];
    }),
  ) as Alternating<K>;
}

export async function direct(operation: () => Promise<unknown>): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + LOAD.seconds * 1000;
  await Promise.all(
    Array.from({ length: LOAD.connections }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          await operation();
          latencies.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { rps: latencies.length / LOAD.seconds, p50: at(0.5), p99: at(0.99), errors };
}
