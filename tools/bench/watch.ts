import { readFileSync, writeFileSync } from "node:fs";
import { fetchWithin, runCommand } from "@course/cli";

// `docker compose watch` timed from a saved source change to the changed answer: used by the bench
// (on the stack it runs) and by test/containers/watch.test.ts (on a copy of the repository).

/** The company service's list handler, which the edit below replaces. */
const HANDLER = "() => companies.list(),";
export const WATCH_HEADER = "x-course-watch";

/** routes.ts with GET /companies answering an x-course-watch header that carries `stamp`. */
export function withWatchHeader(source: string, stamp: string) {
  if (!source.includes(HANDLER))
    throw new Error(`the company routes no longer contain ${HANDLER}: update tools/bench/watch.ts`);
  return source.replace(
    HANDLER,
    `async (_request, reply) => {
      void reply.header("${WATCH_HEADER}", "${stamp}");
      return companies.list();
    },`,
  );
}

/**
 * Runs `docker compose <composeArgs> watch <watchArgs>` until stop(); `enabled` resolves when
 * compose says it is watching, and rejects if it exits first.
 */
export function composeWatch(composeArgs: string[], watchArgs: string[], cwd?: string) {
  const controller = new AbortController();
  let watching: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (watching = resolve));
  const exited = runCommand("docker", ["compose", ...composeArgs, "watch", ...watchArgs], {
    ...(cwd ? { cwd } : {}),
    signal: controller.signal,
    onLine: (line) => {
      if (/watch enabled/i.test(line)) watching();
    },
  });
  const early = exited.then((result) => {
    throw new Error(
      `docker compose watch exited ${String(result.code)}\n${result.output.slice(-3000)}`,
    );
  });
  const enabled = Promise.race([ready, early]);
  enabled.catch(() => undefined);
  return {
    enabled,
    async stop() {
      controller.abort();
      await exited.catch(() => undefined);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Saves the edit to `routesFile`, then asks `url` (GET /companies) every 100 ms until a successful
 * answer carries it: the seconds from save to served. (The rebuilt service answers 503 with the
 * edit's header until its database is ready: that is not served yet.) Bounded by `timeoutMs`.
 */
export async function saveToServed(routesFile: string, url: string, timeoutMs = 180_000) {
  const stamp = String(Date.now());
  const edited = withWatchHeader(readFileSync(routesFile, "utf8"), stamp);
  const saved = performance.now();
  writeFileSync(routesFile, edited);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await fetchWithin(url, 1000).catch(() => undefined);
    if (answer?.response.ok === true && answer.response.headers.get(WATCH_HEADER) === stamp)
      return (performance.now() - saved) / 1000;
    if (Date.now() > deadline)
      throw new Error(`${url} did not serve the change within ${String(timeoutMs / 1000)} s`);
    await sleep(100);
  }
}
