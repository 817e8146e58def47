import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { composeWatch, saveToServed } from "../../tools/bench/watch.ts";
import { copyRepository, fetchWithin, needsDocker, run } from "./docker.ts";

// `docker compose watch` as a trainee uses it: in a copy of the repository, a change saved to the
// company service's routes is built and served without another command. The copy's compose
// project, images and port are its own (an override publishes company on a free port and
// nothing else), so the stack that other suites run on 8001-8003 and 8081 is left alone.

const project = `course-watch-${String(process.pid)}`;

function copyOfRepository() {
  return copyRepository(mkdtempSync(join(tmpdir(), "course-watch-")));
}

function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

async function untilReady(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while ((await fetchWithin(url, 1000).catch(() => undefined))?.response.ok !== true) {
    if (Date.now() > deadline) throw new Error(`${url} not ready in ${String(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test("docker compose watch: a saved route change is served", { timeout: 600_000 }, async (t) => {
  if (!(await needsDocker(t))) return;
  const dir = copyOfRepository();
  const port = await freePort();
  // No image names: compose names the images after the project, and `--rmi local` removes them.
  writeFileSync(
    join(dir, "compose.watch-test.yaml"),
    `services:
  cosmosdb: { image: !reset null, ports: !reset [] }
  department: { image: !reset null, ports: !reset [] }
  company: { image: !reset null, ports: !override ["127.0.0.1:${String(port)}:8001"] }
`,
  );
  const files = ["-p", project, "-f", "compose.yaml", "-f", "compose.watch-test.yaml"];
  const watch = composeWatch(files, ["company"], dir);
  t.after(async () => {
    await watch.stop();
    await run(
      "docker",
      ["compose", ...files, "down", "-v", "--rmi", "local", "--remove-orphans", "-t", "5"],
      {
        cwd: dir,
      },
    ).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  await watch.enabled;
  const companies = `http://127.0.0.1:${String(port)}/companies`;
  await untilReady(`http://127.0.0.1:${String(port)}/readyz`, 120_000);
  const seconds = await saveToServed(join(dir, "services/company/src/routes.ts"), companies);
  t.diagnostic(`saved to served: ${seconds.toFixed(1)} s`);
  const answer = await fetchWithin(companies, 5000);
  assert.equal(answer.response.status, 200, "the rebuilt service still lists companies");
});
