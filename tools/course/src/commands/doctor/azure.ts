import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { parseEnv } from "node:util";
import { CosmosClient, type OfferDefinition } from "@azure/cosmos";
import {
  ConfigError,
  isServerlessRefusal,
  loadConfig,
  SERVERLESS_ADVICE,
  type Throughput,
} from "@course/service-kit";
import { MICROSERVICES } from "@course/stack";
import { errorMessage } from "../../lib/errors.ts";
import { inRepo, userCwd } from "../../lib/paths.ts";
import { bad, ok, type Finding } from "./findings.ts";

// `course doctor --azure`: does the Cosmos DB account that .env names answer, take the key, and
// accept what COSMOSDB_THROUGHPUT_MODE will provision? Asked the way the services ask: the same
// settings (read as compose reads .env) and the same SDK. Nothing is created or changed.

/** Azure's free tier: the first 1,000 RU/s of one account per subscription cost nothing. */
export const FREE_TIER_RU = 1000;

const FROM_PORTAL =
  "from the Azure portal (Cosmos DB account > Settings > Keys: URI and PRIMARY KEY)";
const COPY_ENV = `Copy .env.example to .env and set COSMOSDB_ENDPOINT_URL and COSMOSDB_MASTER_KEY ${FROM_PORTAL}.`;
const SET_ENDPOINT = `Set COSMOSDB_ENDPOINT_URL in .env (and COSMOSDB_MASTER_KEY) ${FROM_PORTAL}.`;
const NETWORK =
  "Check the URI (Keys > URI), that this network lets HTTPS (port 443) out, and the account's Networking page: public network access from all networks, or from selected networks that include this room's public address.";

type AccountMode =
  | { kind: "provisioned"; offers: OfferDefinition[] }
  | { kind: "serverless" }
  | { kind: "unknown"; why: string };

/**
 * .env as compose reads it (KEY=value lines, comments, quotes); the shell's COSMOSDB_* win. A key
 * file it names is relative to its folder, as compose reads it from the root compose.yaml.
 */
async function readEnv(envFile: string, shell: NodeJS.ProcessEnv) {
  let text: string;
  try {
    text = await readFile(envFile, "utf8");
  } catch {
    return undefined;
  }
  const fromShell = Object.entries(shell).filter(([name]) => name.startsWith("COSMOSDB_"));
  const env = { ...parseEnv(text), ...Object.fromEntries(fromShell) } as Record<string, string>;
  if (env.COSMOSDB_MASTER_KEY_FILE)
    env.COSMOSDB_MASTER_KEY_FILE = resolve(dirname(envFile), env.COSMOSDB_MASTER_KEY_FILE);
  return env;
}

/** The RU/s a mode provisions for the class's services, and how that is worked out. */
export function classThroughput(throughput: Throughput): { ru: number; sum: string } {
  const services = MICROSERVICES.length;
  switch (throughput.mode) {
    case "shared":
      return {
        ru: throughput.throughput,
        sum: `one database, shared by all ${String(services)} services`,
      };
    case "container":
      return {
        ru: throughput.throughput * services,
        sum: `${String(services)} services × ${String(throughput.throughput)}`,
      };
    case "autoscale":
      return {
        ru: throughput.maxThroughput,
        sum: `one database, autoscale from ${String(throughput.maxThroughput / 10)} up to ${String(throughput.maxThroughput)}`,
      };
    case "serverless":
      return { ru: 0, sum: "no throughput" };
  }
}

const offerRu = (offer: OfferDefinition) =>
  offer.content?.offerAutopilotSettings?.maxThroughput ?? offer.content?.offerThroughput ?? 0;

function settingsFinding(envFile: string, env: Record<string, string> | undefined) {
  const title = "Settings (.env)";
  if (env === undefined)
    return { finding: bad("settings", title, `${envFile} not found`, COPY_ENV) };
  if (!env.COSMOSDB_ENDPOINT_URL)
    return {
      finding: bad("settings", title, `${envFile} sets no COSMOSDB_ENDPOINT_URL`, SET_ENDPOINT),
    };
  try {
    const { cosmos } = loadConfig(env, { defaultPort: 0 });
    const host = new URL(cosmos.endpoint).host;
    const finding = ok(
      "settings",
      title,
      `${host}, database ${cosmos.database}, COSMOSDB_THROUGHPUT_MODE=${cosmos.throughput.mode}`,
    );
    const local = /^(localhost|127\.0\.0\.1|cosmosdb)(:|$)/.test(host);
    if (!local && !(env.COMPOSE_FILE ?? "").includes("compose.azure.yaml"))
      finding.advice =
        "Add the COMPOSE_FILE and COMPOSE_PATH_SEPARATOR lines of .env.example, so that `docker compose up` leaves the local server out.";
    return { finding, cosmos };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      finding: bad(
        "settings",
        title,
        error.message,
        "Fix that line in .env (.env.example shows each setting).",
      ),
    };
  }
}

const statusOf = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
};
const firstLine = (error: unknown) => errorMessage(error).split(/\r?\n/)[0] ?? "";

async function accountMode(client: CosmosClient, timeoutMs: number): Promise<AccountMode> {
  try {
    const { resources } = await client.offers
      .readAll({ abortSignal: AbortSignal.timeout(timeoutMs) })
      .fetchAll();
    return { kind: "provisioned", offers: resources };
  } catch (error) {
    if (isServerlessRefusal(error)) return { kind: "serverless" };
    return { kind: "unknown", why: firstLine(error) };
  }
}

function modeFinding(mode: AccountMode): Finding {
  const title = "Account capacity mode";
  if (mode.kind === "serverless")
    return ok("mode", title, "serverless: billed per request, no throughput may be set");
  if (mode.kind === "unknown")
    return {
      id: "mode",
      status: "skip",
      title,
      detail: `not reported (offers: ${mode.why}); the local server has no offers`,
    };
  const total = mode.offers.reduce((sum, offer) => sum + offerRu(offer), 0);
  return ok(
    "mode",
    title,
    `provisioned throughput: ${String(total)} RU/s provisioned now, in ${String(mode.offers.length)} offer${mode.offers.length === 1 ? "" : "s"}`,
  );
}

function fitFinding(throughput: Throughput, mode: AccountMode): Finding {
  const title = "Throughput mode fits";
  const chosen = `COSMOSDB_THROUGHPUT_MODE=${throughput.mode}`;
  if (mode.kind === "unknown")
    return { id: "fit", status: "skip", title, detail: "skipped: the account's mode is not known" };
  if (mode.kind === "serverless")
    return throughput.mode === "serverless"
      ? ok("fit", title, `${chosen}: the services set no throughput`)
      : bad(
          "fit",
          title,
          `${chosen} sets throughput; ${SERVERLESS_ADVICE}`,
          "Put COSMOSDB_THROUGHPUT_MODE=serverless in .env.",
        );
  if (throughput.mode === "serverless")
    return bad(
      "fit",
      title,
      `${chosen} on a provisioned account: each container would get throughput of its own`,
      "Put COSMOSDB_THROUGHPUT_MODE=shared in .env: one database of 400 RU/s for every service.",
    );
  const { ru, sum } = classThroughput(throughput);
  const finding = ok("fit", title, `${chosen}: ${String(ru)} RU/s (${sum})`);
  if (ru > FREE_TIER_RU)
    finding.advice = `That is above the ${String(FREE_TIER_RU)} RU/s a free-tier account gets free: the difference is billed every hour the database exists. COSMOSDB_THROUGHPUT_MODE=shared provisions 400 RU/s for all.`;
  return finding;
}

export async function azureFindings(options: {
  /** Default: .env at the repository root, where compose reads it. */
  envFile?: string;
  shell?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<Finding[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const path = options.envFile === undefined ? inRepo(".env") : resolve(userCwd, options.envFile);
  const env = await readEnv(path, options.shell ?? process.env);
  const { finding: settings, cosmos } = settingsFinding(relative(userCwd, path) || path, env);
  if (cosmos === undefined) return [settings];
  const client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    connectionPolicy: {
      enableEndpointDiscovery: false,
      requestTimeout: timeoutMs,
      retryOptions: { maxRetryAttemptCount: 0, maxWaitTimeInSeconds: 1 },
    },
  });
  try {
    const reachable = "Endpoint reachable";
    const keyTitle = "Key accepted";
    let region: string;
    try {
      const { resource } = await client.getDatabaseAccount({
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      region = resource?.writableLocations[0]?.name ?? "one region";
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined)
        return [
          settings,
          bad("endpoint", reachable, `${cosmos.endpoint}: ${firstLine(error)}`, NETWORK),
        ];
      const answered = ok("endpoint", reachable, `${cosmos.endpoint} answered ${String(status)}`);
      if (status === 403 && /firewall|blocked/i.test(errorMessage(error)))
        return [
          settings,
          bad(
            "endpoint",
            reachable,
            `refused by the account's firewall: ${firstLine(error)}`,
            NETWORK,
          ),
        ];
      return [
        settings,
        answered,
        bad(
          "key",
          keyTitle,
          `the account refused the key (${String(status)}): ${firstLine(error)}`,
          "Copy the PRIMARY KEY again from Cosmos DB account > Settings > Keys (a regenerated key replaces the old one at once), into COSMOSDB_MASTER_KEY in .env (or the file COSMOSDB_MASTER_KEY_FILE names).",
        ),
      ];
    }
    const mode = await accountMode(client, timeoutMs);
    return [
      settings,
      ok("endpoint", reachable, `${cosmos.endpoint} answered`),
      ok("key", keyTitle, `account read (${region})`),
      modeFinding(mode),
      fitFinding(cosmos.throughput, mode),
    ];
  } finally {
    client.dispose();
  }
}
