import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { keyInFile, loadConfig } from "../src/config.ts";

const valid = {
  COSMOSDB_ENDPOINT_URL: "http://localhost:8081",
  COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
  COMPANY_SERVICE_URL: "http://company:8001",
};
const spec = { defaultPort: 8002, parents: { company: "COMPANY_SERVICE_URL" } };
const without = (env: NodeJS.ProcessEnv, name: string) =>
  Object.fromEntries(Object.entries(env).filter(([key]) => key !== name));
const keyFile = join(tmpdir(), `course-key-${process.pid}`);
writeFileSync(keyFile, `${LOCAL_COSMOS_KEY}\n`);

test("a valid environment gives a typed config with defaults", () => {
  const config = loadConfig(valid, spec);
  assert.equal(config.port, 8002);
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.seedData, true);
  assert.deepEqual(config.cosmos, {
    endpoint: "http://localhost:8081",
    key: LOCAL_COSMOS_KEY,
    database: "course",
    throughput: { mode: "shared", throughput: 400 },
  });
  assert.deepEqual(config.parents, { company: "http://company:8001" });
});

test("the key can come from a file (compose secrets)", () => {
  const rest = without(valid, "COSMOSDB_MASTER_KEY");
  assert.equal(
    loadConfig({ ...rest, COSMOSDB_MASTER_KEY_FILE: keyFile }, spec).cosmos.key,
    LOCAL_COSMOS_KEY,
  );
});

test("the key file may be .env itself, as compose mounts it when .env sets the key", () => {
  const rest = without(valid, "COSMOSDB_MASTER_KEY");
  const envFile = join(tmpdir(), `course-env-${process.pid}`);
  const read = (text: string) => {
    writeFileSync(envFile, text);
    return loadConfig({ ...rest, COSMOSDB_MASTER_KEY_FILE: envFile }, spec).cosmos.key;
  };
  const settings = "# Azure\nCOSMOSDB_ENDPOINT_URL=https://a.documents.azure.com:443/\n";
  assert.equal(read(`${settings}COSMOSDB_MASTER_KEY=${LOCAL_COSMOS_KEY}\n`), LOCAL_COSMOS_KEY);
  assert.equal(
    read(`${settings}COSMOSDB_MASTER_KEY="${LOCAL_COSMOS_KEY}" # primary\n`),
    LOCAL_COSMOS_KEY,
  );
  assert.equal(
    keyInFile(`${LOCAL_COSMOS_KEY}\n`),
    LOCAL_COSMOS_KEY,
    "a key alone, = padding and all",
  );
  // An env file without the key: named, its other settings never taken for a key nor shown.
  assert.throws(
    () => read(`${settings}LOG_LEVEL=info\n`),
    (error: Error) =>
      /COSMOSDB_MASTER_KEY_FILE names an env file \(\.env\) without a COSMOSDB_MASTER_KEY line/.test(
        error.message,
      ) && !error.message.includes("documents.azure.com"),
  );
});

test("each throughput mode reads only the setting it uses", () => {
  const mode = (env: Record<string, string>) =>
    loadConfig({ ...valid, ...env }, spec).cosmos.throughput;
  const unused = { COSMOSDB_THROUGHPUT: "400", COSMOSDB_AUTOSCALE_MAX_THROUGHPUT: "1000" };
  assert.deepEqual(mode({ COSMOSDB_THROUGHPUT_MODE: "Container", COSMOSDB_THROUGHPUT: "800" }), {
    mode: "container",
    throughput: 800,
  });
  assert.deepEqual(mode({ COSMOSDB_THROUGHPUT_MODE: "autoscale" }), {
    mode: "autoscale",
    maxThroughput: 1000,
  });
  assert.deepEqual(mode({ ...unused, COSMOSDB_THROUGHPUT_MODE: "serverless" }), {
    mode: "serverless",
  });
  // compose passes every setting with its default: an unused one is not checked
  assert.deepEqual(mode({ COSMOSDB_THROUGHPUT_MODE: "serverless", COSMOSDB_THROUGHPUT: "0" }), {
    mode: "serverless",
  });
  assert.throws(
    () =>
      mode({ COSMOSDB_THROUGHPUT_MODE: "autoscale", COSMOSDB_AUTOSCALE_MAX_THROUGHPUT: "1500" }),
    /COSMOSDB_AUTOSCALE_MAX_THROUGHPUT must be a whole number from 1000 to 1000000 in steps of 1000/,
  );
});

// Each case: the variable, the value (undefined: missing), and what the one line must say.
const bad: [string, string | undefined, RegExp][] = [
  ["COSMOSDB_ENDPOINT_URL", undefined, /COSMOSDB_ENDPOINT_URL is required/],
  ["COSMOSDB_ENDPOINT_URL", "localhost:8081", /COSMOSDB_ENDPOINT_URL must be an http/],
  ["COSMOSDB_ENDPOINT_URL", "not a url", /COSMOSDB_ENDPOINT_URL must be an http/],
  ["COSMOSDB_MASTER_KEY", undefined, /COSMOSDB_MASTER_KEY is required/],
  ["COSMOSDB_MASTER_KEY", "not-base64!", /COSMOSDB_MASTER_KEY must be a base64 account key/],
  ["COSMOSDB_DATABASE", "a/b", /COSMOSDB_DATABASE must be 1 to 255 characters/],
  [
    "COSMOSDB_THROUGHPUT",
    "50",
    /COSMOSDB_THROUGHPUT must be a whole number from 400 to 1000000 in steps of 100/,
  ],
  ["COSMOSDB_THROUGHPUT", "450", /COSMOSDB_THROUGHPUT must be a whole number/],
  ["COSMOSDB_THROUGHPUT", "lots", /COSMOSDB_THROUGHPUT must be a whole number/],
  [
    "COSMOSDB_THROUGHPUT_MODE",
    "free",
    /COSMOSDB_THROUGHPUT_MODE must be one of shared, container, autoscale, serverless \(got "free"\)/,
  ],
  ["PORT", "http", /PORT must be a whole number from 0 to 65535 \(got "http"\)/],
  ["PORT", "70000", /PORT must be a whole number from 0 to 65535/],
  ["LOG_LEVEL", "loud", /LOG_LEVEL must be one of fatal, error/],
  ["SEED_DATA", "maybe", /SEED_DATA must be true or false/],
  ["COMPANY_SERVICE_URL", undefined, /COMPANY_SERVICE_URL is required/],
  ["COMPANY_SERVICE_URL", "ftp://company", /COMPANY_SERVICE_URL must be an http/],
];

test("a key pasted into another variable is named, never shown", () => {
  const key = LOCAL_COSMOS_KEY;
  const pieces = Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8));
  for (const name of [
    "COSMOSDB_ENDPOINT_URL",
    "COSMOSDB_DATABASE",
    "COSMOSDB_THROUGHPUT_MODE",
    "COSMOSDB_THROUGHPUT",
    "PORT",
    "LOG_LEVEL",
    "SEED_DATA",
    "COMPANY_SERVICE_URL",
  ]) {
    for (const value of [key, key.slice(0, 20)]) {
      const message = (() => {
        try {
          loadConfig({ ...valid, [name]: value }, spec);
          return "accepted";
        } catch (error) {
          return (error as Error).message;
        }
      })();
      assert.match(message, new RegExp(`^${name} `), `${name} is named`);
      assert.match(message, /characters, not shown/, `${name}: ${message}`);
      const shown = pieces.find((piece) => message.includes(piece));
      assert.equal(shown, undefined, `${name}: "${message}" shows part of the key`);
    }
  }
  // A short value that cannot be a key is still quoted: the person sees the typo.
  assert.throws(() => loadConfig({ ...valid, LOG_LEVEL: "loud" }, spec), /\(got "loud"\)/);
});

test("a key in the environment wins over a key file", () => {
  const config = loadConfig({ ...valid, COSMOSDB_MASTER_KEY_FILE: "/nonexistent/key" }, spec);
  assert.equal(config.cosmos.key, LOCAL_COSMOS_KEY);
});

test("a missing key file is named", () => {
  const rest = without(valid, "COSMOSDB_MASTER_KEY");
  assert.throws(
    () => loadConfig({ ...rest, COSMOSDB_MASTER_KEY_FILE: "/nonexistent/key" }, spec),
    /COSMOSDB_MASTER_KEY_FILE must name a readable file holding the key \(ENOENT\)/,
  );
});

test("each bad or missing variable stops the service: exit 1, one line, no stack, no key", async () => {
  const server = join(import.meta.dirname, "../../../services/department/src/server.ts");
  await Promise.all(
    bad.map(async ([name, value, message]) => {
      const set = { ...process.env, ...valid, LOG_LEVEL: "silent", [name]: value };
      const env = value === undefined ? without(set, name) : set;
      const child = spawn(process.execPath, ["--import", "tsx", server], {
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise((resolve) => child.on("exit", resolve));
      assert.equal(code, 1, `${name}=${String(value)}: ${stderr}`);
      const lines = stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `${name}: one line, got ${stderr}`);
      assert.match(lines[0] ?? "", /^Configuration error: /);
      assert.match(stderr, message);
      assert.doesNotMatch(
        stderr,
        new RegExp(LOCAL_COSMOS_KEY.slice(0, 20).replace(/[+/]/g, "\\$&")),
      );
    }),
  );
});
