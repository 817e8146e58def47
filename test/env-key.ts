import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/**
 * An .env file holding a fresh key, as the Azure portal shows one (base64 of 64 bytes), for
 * `docker compose --env-file`; the local server accepts any such key. Removed after the test.
 */
export function envFileWithKey(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), "course-key-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const key = randomBytes(64).toString("base64");
  const envFile = join(dir, ".env");
  writeFileSync(envFile, `COSMOSDB_MASTER_KEY=${key}\n`);
  return { key, envFile };
}
