import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { needsDocker, root, run } from "./containers/docker.ts";
import { envFileWithKey } from "./env-key.ts";

// A key in .env reaches the services as a secret file, never as a variable: `docker compose config`
// (what a trainee pastes into a question) names only the variable. Without one, the local server's
// key file is the secret, as before.

const KEY_PATH = "/run/secrets/cosmosdb_master_key";

interface Project {
  services: Record<
    string,
    { environment?: Record<string, string>; secrets?: { source: string; target?: string }[] }
  >;
  secrets?: Record<string, { file?: string; environment?: string }>;
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
  test(`${files.join(" + ")}: the key is a secret file, with or without .env`, async (t) => {
    if (!(await needsDocker(t))) return;
    const { key, envFile } = envFileWithKey(t);

    const withKey = await config(files, envFile);
    assert.ok(!withKey.text.includes(key), "docker compose config does not show the key");
    const fromEnv = withKey.project.secrets?.cosmosdb_master_key_env;
    assert.equal(fromEnv?.environment, "COSMOSDB_MASTER_KEY", "the secret names the variable");

    const withoutKey = await config(files, "/dev/null");
    assert.equal(
      withoutKey.project.secrets?.cosmosdb_master_key?.file,
      join(root, "infra/cosmosdb/local-master-key"),
      "without .env, the local server's key file",
    );

    for (const [name, service] of Object.entries(withKey.project.services)) {
      if (name === "cosmosdb") continue;
      const env = service.environment ?? {};
      assert.equal(env.COSMOSDB_MASTER_KEY, undefined, `${name}: no COSMOSDB_MASTER_KEY variable`);
      assert.equal(env.COSMOSDB_MASTER_KEY_FILE, KEY_PATH, `${name}: reads the key's file`);
      const secret = (project: Project) =>
        project.services[name]?.secrets?.map((s) => `${s.source} at ${s.target ?? s.source}`);
      assert.deepEqual(secret(withKey.project), ["cosmosdb_master_key_env at cosmosdb_master_key"]);
      assert.deepEqual(secret(withoutKey.project), ["cosmosdb_master_key at cosmosdb_master_key"]);
    }
  });
}
