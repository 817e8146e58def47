import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { copyRepository, needsDocker, root, run } from "./docker.ts";

// Every Dockerfile starts by copying the whole build context: a key file anywhere in it would reach
// the build cache. BuildKit exports the context as .dockerignore leaves it, into a folder.

/** Where the docs tell a trainer to put a key, and where a user's key files would sit. */
function keyPaths() {
  const kubernetes = readFileSync(join(root, "deploy/kubernetes/README.md"), "utf8");
  const documented = /write the account's key to `([^`]+)`/.exec(kubernetes)?.[1];
  assert.ok(documented, "deploy/kubernetes/README.md says where the key file goes");
  return [documented, ".env", "services/company/.env", "cosmosdb-master-key", "deploy/swarm/key"];
}

test("the build context holds no key file", { timeout: 120_000 }, async (t) => {
  if (!(await needsDocker(t))) return;
  const dir = mkdtempSync(join(tmpdir(), "course-context-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const context = copyRepository(join(dir, "repo"));
  const planted = keyPaths();
  for (const path of planted) {
    mkdirSync(dirname(join(context, path)), { recursive: true });
    writeFileSync(join(context, path), "COSMOSDB_MASTER_KEY=planted\n");
  }
  // A Dockerfile outside the context: the context's own .dockerignore applies.
  const dockerfile = join(dir, "Dockerfile");
  writeFileSync(dockerfile, "FROM scratch\nCOPY . /\n");
  const exported = join(dir, "context");
  await run("docker", [
    "build",
    "-f",
    dockerfile,
    "--output",
    `type=local,dest=${exported}`,
    context,
  ]);
  assert.ok(existsSync(join(exported, "package-lock.json")), "the context was exported");
  for (const path of planted) assert.ok(!existsSync(join(exported, path)), `${path} is left out`);
});
