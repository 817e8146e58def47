import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { needsDocker, root, run } from "./containers/docker.ts";
import { keyFiles } from "./env-key.ts";

// The key reaches the services only as a secret file: `docker compose config` (what a trainee
// pastes into a question) never shows it. A key set in .env (the seed's way) makes .env itself the
// secret's file, which the services read the key's line from; a key file .env names is that file;
// without .env, the local server's key file, as before.

const KEY_PATH = "/run/secrets/cosmosdb_master_key";

interface Project {
  services: Record<
    string,
    { environment?: Record<string, string>; secrets?: { source: string; target?: string }[] }
  >;
  secrets?: Record<string, { file?: string }>;
}

async function config(files: string[], envFile: string) {
  const args = ["compose", "--env-file", envFile, ...files.flatMap((f) => ["-f", f]), "config"];
  const env = { COMPOSE_FILE: undefined, COSMOSDB_MASTER_KEY: undefined };
  const text = await run("docker", args, { env });
  const json = await run("docker", [...args, "--format", "json"], { env });
  return { text, project: JSON.parse(json) as Project };
}

const combinations = [
  ["compose.yaml"],
  ["compose.yaml", "compose.azure.yaml"],
  ["solutions/05-compose-employees/compose.yaml"],
  ["solutions/05-compose-employees/compose.yaml", "compose.azure.yaml"],
];

for (const files of combinations) {
  test(`${files.join(" + ")}: the key is a secret file, never a variable`, async (t) => {
    if (!(await needsDocker(t))) return;
    const { key, keyFile, namingFile, settingKey } = keyFiles(t);
    const keyFileOf = (project: Project) => project.secrets?.cosmosdb_master_key?.file;

    const named = await config(files, namingFile);
    assert.equal(keyFileOf(named.project), keyFile, "the file .env names is the secret");
    const local = await config(files, "/dev/null");
    assert.equal(keyFileOf(local.project), join(root, "infra/cosmosdb/local-master-key"));
    const set = await config(files, settingKey);
    // The project's .env, where compose reads settings by default (README, .env.example).
    assert.equal(keyFileOf(set.project), join(root, ".env"), ".env itself is the secret");

    for (const { text, project } of [named, local, set]) {
      assert.ok(!text.includes(key), "docker compose config does not show the key");
      for (const [name, service] of Object.entries(project.services)) {
        if (name === "cosmosdb") continue;
        const env = service.environment ?? {};
        assert.equal(env.COSMOSDB_MASTER_KEY, undefined, `${name}: no COSMOSDB_MASTER_KEY`);
        assert.equal(env.COSMOSDB_MASTER_KEY_FILE, KEY_PATH, `${name}: reads the key's file`);
        assert.deepEqual(
          service.secrets?.map((s) => s.source),
          ["cosmosdb_master_key"],
          `${name}: the key's secret`,
        );
      }
    }
  });
}

// Why .env is mounted rather than a secret made from the variable: compose copies such a secret
// into the container's filesystem, which a read-only service (every service here) does not allow.
// Should compose learn to, this fails, and compose.yaml can say `environment: COSMOSDB_MASTER_KEY`.
test("compose gives no read-only service a secret made from a variable", async (t) => {
  if (!(await needsDocker(t))) return;
  const dir = mkdtempSync(join(tmpdir(), "course-variable-secret-"));
  const project = `course-variable-secret-${String(process.pid)}`;
  t.after(async () => {
    await run("docker", ["compose", "-p", project, "down"], { cwd: dir }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(
    join(dir, "compose.yaml"),
    [
      "services:",
      "  reader:",
      `    image: ${process.env.DISTROLESS_IMAGE ?? "gcr.io/distroless/nodejs24-debian13:nonroot"}`,
      "    read_only: true",
      '    command: ["-e", "0"]',
      "    secrets: [key]",
      "secrets:",
      "  key:",
      "    environment: COSMOSDB_MASTER_KEY",
      "",
    ].join("\n"),
  );
  await assert.rejects(
    run("docker", ["compose", "-p", project, "up"], {
      cwd: dir,
      env: { COSMOSDB_MASTER_KEY: "a-key" },
    }),
    /read-only service reader: `file` is the sole supported option/,
  );
});
