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
