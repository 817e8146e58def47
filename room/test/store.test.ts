import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { DATABASE_FILE, openRoomStore, SCHEMA_VERSION } from "../src/store.ts";
import { checkBody, tempDir } from "./helper.ts";

test("the data file is in WAL mode, at the current schema version, and a newer one is refused", (t) => {
  const dir = tempDir(t);
  const store = openRoomStore(dir);
  const { token, trainee } = store.join("Ada");
  assert.ok(store.traineeByToken(token));
  assert.ok(store.addReport(trainee.id, checkBody(1)));
  store.close();

  const db = new DatabaseSync(join(dir, DATABASE_FILE));
  assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
  assert.deepEqual(
    { ...db.prepare("PRAGMA user_version").get() },
    { user_version: SCHEMA_VERSION },
  );
  assert.equal(
    (
      db.prepare("SELECT token_hash FROM trainees").get() as { token_hash: string }
    ).token_hash.includes(token),
    false,
    "only the token's hash is stored",
  );
  db.exec(`PRAGMA user_version = ${String(SCHEMA_VERSION + 1)}`);
  db.close();
  assert.throws(() => openRoomStore(dir), /written by a newer version/);
});
