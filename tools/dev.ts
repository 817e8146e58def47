// `npm run dev`: the local Cosmos DB server and the three services on this machine, no Docker
// needed. Each service restarts when its sources change; every log line is prefixed with the
// service's name; Ctrl-C stops everything. With COSMOSDB_ENDPOINT_URL and a key file in .env, the
// services use that account (Azure) and no local server is started.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { LOCAL_COSMOS_KEY, startLocalCosmos } from "@course/cosmosdb";
import { DATABASE, localUrl, MICROSERVICES } from "@course/stack";

const root = join(import.meta.dirname, "..");
const envFile = join(root, ".env");
if (existsSync(envFile)) process.loadEnvFile(envFile);

const colours = { cosmosdb: 35, company: 36, department: 33, employee: 32 } as const;
const prefix = (name: keyof typeof colours) =>
  process.stdout.isTTY ? `\x1b[${colours[name]}m${name.padEnd(10)}\x1b[0m|` : `${name.padEnd(10)}|`;

// Each service is told where its parent listens on this machine.
const parentUrls = Object.fromEntries(
  MICROSERVICES.flatMap((service) => {
    const parent = "parent" in service ? service.parent : undefined;
    const listening = MICROSERVICES.find((s) => s.name === parent?.name);
    return parent && listening ? [[parent.variable, localUrl(listening)]] : [];
  }),
);

async function main() {
  let endpoint = process.env.COSMOSDB_ENDPOINT_URL;
  let key = process.env.COSMOSDB_MASTER_KEY;
  // A key file that .env names is relative to the repository root, as compose reads it.
  const keyFile = process.env.COSMOSDB_MASTER_KEY_FILE;
  let stopCosmos = () => Promise.resolve();
  if (endpoint === undefined || endpoint === "") {
    const cosmos = await startLocalCosmos(DATABASE.port, "127.0.0.1").catch((error: unknown) => {
      console.error(
        `${prefix("cosmosdb")} cannot listen on 127.0.0.1:${String(DATABASE.port)} (${String(error)}); is something else using it?`,
      );
      process.exit(1);
    });
    console.log(
      `${prefix("cosmosdb")} local Cosmos DB at ${cosmos.endpoint} (in memory: a restart empties it)`,
    );
    endpoint = cosmos.endpoint;
    key = LOCAL_COSMOS_KEY;
    stopCosmos = cosmos.close;
  } else {
    console.log(`${prefix("cosmosdb")} using ${endpoint} from the environment (.env)`);
  }

  const children: ChildProcess[] = MICROSERVICES.map(({ name, folder, port }) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--watch", "src/server.ts"], {
      cwd: join(root, folder),
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        COSMOSDB_ENDPOINT_URL: endpoint,
        COSMOSDB_MASTER_KEY: key,
        ...(keyFile ? { COSMOSDB_MASTER_KEY_FILE: resolve(root, keyFile) } : {}),
        PORT: String(port),
        HOST: process.env.HOST ?? "127.0.0.1",
        ...parentUrls,
      },
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        console.log(`${prefix(name)} ${line}`);
      });
    }
    console.log(`${prefix(name)} http://127.0.0.1:${port}/docs`);
    return child;
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("stopping…");
    const exits = children.map((child) => new Promise((resolve) => child.once("exit", resolve)));
    for (const child of children) child.kill("SIGTERM");
    void Promise.all(exits)
      .then(stopCosmos)
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();
