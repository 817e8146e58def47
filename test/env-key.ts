import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/**
 * A fresh key, as the Azure portal shows one (base64 of 64 bytes), in a file of its own, and .env
 * files for `docker compose --env-file`: one naming the file (the course's way), one setting the
 * key itself. The local server accepts any such key. Removed after the test.
 */
export function keyFiles(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), "course-key-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const key = randomBytes(64).toString("base64");
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const keyFile = write("cosmosdb-master-key", `${key}\n`);
  return {
    key,
    keyFile,
    namingFile: write("file.env", `COSMOSDB_MASTER_KEY_FILE=${keyFile}\n`),
    settingKey: write("key.env", `COSMOSDB_MASTER_KEY=${key}\n`),
  };
}
