import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { cleanupAll, track } from "../src/lib/cleanup.ts";

// A command cleans up on every way out: Ctrl-C, kill, and a closed terminal (SIGHUP); it waits for
// the docker commands it started to exit before removing what they made; and a removal that fails
// is reported, not dropped.

const lib = (name: string) =>
  JSON.stringify(pathToFileURL(join(import.meta.dirname, `../src/lib/${name}.ts`)).href);

/** A command that runs a slow-to-stop child and tracks a removal; both log to `log`. */
function command(log: string) {
  // The child, like docker compose up, takes a while to stop after SIGINT.
  const child = `process.on("SIGINT", () => setTimeout(() => { require("fs").appendFileSync(${JSON.stringify(log)}, "child exited\\n"); process.exit(0); }, 700)); setInterval(() => {}, 1000); console.log("ready");`;
  return `import { appendFileSync } from "node:fs";
import { cleanUpOnInterrupt, track } from ${lib("cleanup")};
import { runCommand } from ${lib("process")};
cleanUpOnInterrupt();
track("thing", async () => { appendFileSync(${JSON.stringify(log)}, "removed\\n"); });
await runCommand(process.execPath, ["-e", ${JSON.stringify(child)}], { onLine: (line) => console.log(line) });`;
}

for (const signal of ["SIGHUP", "SIGINT", "SIGTERM"] as const) {
  test(
    `${signal}: the docker commands exit first, then everything is removed`,
    { timeout: 20_000 },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), "course-interrupt-"));
      t.after(() => {
        rmSync(dir, { recursive: true, force: true });
      });
      const log = join(dir, "log");
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", command(log)],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      await new Promise<void>((resolve) =>
        child.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("ready")) resolve();
        }),
      );
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(code, 130);
      assert.deepEqual(readFileSync(log, "utf8").split("\n").filter(Boolean), [
        "child exited",
        "removed",
      ]);
    },
  );
}

test("a removal that fails is reported by the clean-up, even when run early", async () => {
  const remove = track("stack:demo", () => Promise.reject(new Error("docker stack rm exited 1")));
  await remove();
  assert.deepEqual(await cleanupAll(), ["stack:demo: docker stack rm exited 1"]);
  assert.deepEqual(await cleanupAll(), [], "reported once");
});
