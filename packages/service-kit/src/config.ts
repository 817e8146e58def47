import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";

// Configuration is read from the environment once, at start-up. A bad or missing value stops the
// process with one line naming the variable, so that nothing fails later in the middle of a request.

/**
 * What the services provision, as COSMOSDB_THROUGHPUT_MODE names it. `shared`: one database with
 * `throughput` RU/s that every service's container shares (fits Azure's free tier); `container`:
 * `throughput` RU/s for each container; `autoscale`: one database that scales between a tenth of
 * `maxThroughput` and `maxThroughput`; `serverless`: no throughput anywhere (serverless accounts
 * reject any).
 */
export type Throughput =
  | { mode: "shared" | "container"; throughput: number }
  | { mode: "autoscale"; maxThroughput: number }
  | { mode: "serverless" };

export const THROUGHPUT_MODES = ["shared", "container", "autoscale", "serverless"] as const;
export type ThroughputMode = (typeof THROUGHPUT_MODES)[number];

export interface CosmosConfig {
  endpoint: string;
  key: string;
  database: string;
  throughput: Throughput;
}

export interface ConfigSpec {
  defaultPort: number;
  /** The parent services this service asks, each with the variable holding its base URL. */
  parents?: Readonly<Record<string, string>>;
}

/** The names a spec gives its parents, e.g. "company": a typo in config.parents is a type error. */
type ParentName<S extends ConfigSpec> = S extends { parents: infer P } ? keyof P & string : never;

/** How long a client may take to send a whole request, or stay silent, before it is cut off. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;

export interface ServiceConfig<S extends ConfigSpec = ConfigSpec> {
  port: number;
  host: string;
  logLevel: string;
  seedData: boolean;
  /** REQUEST_TIMEOUT_SECONDS: the request and idle-connection timeout. */
  requestTimeoutSeconds: number;
  cosmos: CosmosConfig;
  /** Base URLs of the parent services, by the names in ConfigSpec.parents. */
  parents: { [Name in ParentName<S>]: string };
}

/**
 * A value as an error message may show it: a short one that cannot be a key as it is, anything
 * else (a key pasted into the wrong variable, a URL with one in it) only by its length.
 */
export function shownValue(found: string): string {
  const couldBeKey = found.length > 24 || /[A-Za-z0-9+/]{12,}/.test(found);
  return couldBeKey ? `a value of ${String(found.length)} characters, not shown` : `"${found}"`;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
    found?: string,
  ) {
    super(`${variable} ${expected}${found === undefined ? "" : ` (got ${shownValue(found)})`}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const BOOLEANS: Record<string, boolean> = {
  true: true,
  "1": true,
  yes: true,
  false: false,
  "0": false,
  no: false,
};

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === "" ? undefined : raw;
}

function required(env: Env, name: string, expected: string): string {
  const raw = value(env, name);
  if (raw === undefined) throw new ConfigError(name, `is required: ${expected}`);
  return raw;
}

function httpUrl(env: Env, name: string): string {
  const expected = "an http:// or https:// URL, e.g. http://localhost:8081";
  const raw = required(env, name, expected);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be ${expected}`, raw);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `must be ${expected}`, raw);
  }
  return raw.replace(/\/+$/, "");
}

function integer(env: Env, name: string, fallback: number, min: number, max: number, step = 1) {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(parsed >= min && parsed <= max && parsed % step === 0)) {
    const steps = step === 1 ? "" : ` in steps of ${step}`;
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}${steps}`, raw);
  }
  return parsed;
}

/**
 * The key in a key file: the file's text alone, or the COSMOSDB_MASTER_KEY line of an env file.
 * compose mounts .env itself as the key's secret when .env sets COSMOSDB_MASTER_KEY (compose.yaml),
 * so that the key stays where the user wrote it and never becomes a container's variable. An env
 * file without that line gives undefined, never its other settings taken for a key.
 */
export function keyInFile(text: string): string | undefined {
  let settings: Record<string, string | undefined>;
  try {
    settings = parseEnv(text);
  } catch {
    settings = {};
  }
  const names = Object.keys(settings);
  if (names.includes("COSMOSDB_MASTER_KEY")) return settings.COSMOSDB_MASTER_KEY?.trim();
  // A base64 key parses as one odd name (its "=" padding taken for an assignment); an env file has
  // the course's settings.
  if (names.some((name) => /^(COSMOSDB|COMPOSE|LOG)_[A-Z_]+$/.test(name))) return undefined;
  return text.trim();
}

// Cosmos DB account keys are base64. The key's value is never echoed, only what is wrong with it.
// A key in COSMOSDB_MASTER_KEY wins over COSMOSDB_MASTER_KEY_FILE (a user may set it for one run;
// compose passes the key only as a file).
function masterKey(env: Env): string {
  let key = value(env, "COSMOSDB_MASTER_KEY");
  let source = "COSMOSDB_MASTER_KEY";
  const file = value(env, "COSMOSDB_MASTER_KEY_FILE");
  if (key === undefined && file !== undefined) {
    source = "COSMOSDB_MASTER_KEY_FILE";
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(source, `must name a readable file holding the key (${code})`, file);
    }
    key = keyInFile(text);
    if (key === undefined)
      throw new ConfigError(
        source,
        "names an env file (.env) without a COSMOSDB_MASTER_KEY line: write the key there (not in the shell's environment, which compose does not pass)",
      );
  }
  if (key === undefined || key === "") {
    throw new ConfigError(
      "COSMOSDB_MASTER_KEY",
      "is required (or COSMOSDB_MASTER_KEY_FILE): the account key",
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
    throw new ConfigError(source, "must be a base64 account key, as the Azure portal shows it");
  }
  return key;
}

// COSMOSDB_THROUGHPUT and COSMOSDB_AUTOSCALE_MAX_THROUGHPUT are read only by the modes that use
// them: compose passes both with defaults whatever the mode.
function throughput(env: Env): Throughput {
  const raw = value(env, "COSMOSDB_THROUGHPUT_MODE")?.toLowerCase() ?? "shared";
  const mode = THROUGHPUT_MODES.find((m) => m === raw);
  if (mode === undefined) {
    throw new ConfigError(
      "COSMOSDB_THROUGHPUT_MODE",
      `must be one of ${THROUGHPUT_MODES.join(", ")}`,
      raw,
    );
  }
  if (mode === "serverless") return { mode };
  if (mode === "autoscale") {
    const max = integer(env, "COSMOSDB_AUTOSCALE_MAX_THROUGHPUT", 1000, 1000, 1_000_000, 1000);
    return { mode, maxThroughput: max };
  }
  return { mode, throughput: integer(env, "COSMOSDB_THROUGHPUT", 400, 400, 1_000_000, 100) };
}

export function loadConfig<S extends ConfigSpec>(env: Env, spec: S): ServiceConfig<S> {
  const logLevel = value(env, "LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`, logLevel);
  }
  const seedRaw = value(env, "SEED_DATA")?.toLowerCase() ?? "true";
  const seedData = BOOLEANS[seedRaw];
  if (seedData === undefined) throw new ConfigError("SEED_DATA", "must be true or false", seedRaw);
  const database = value(env, "COSMOSDB_DATABASE") ?? "course";
  if (!/^[^/\\?#]{1,255}$/.test(database)) {
    throw new ConfigError(
      "COSMOSDB_DATABASE",
      "must be 1 to 255 characters without / \\ ? or #",
      database,
    );
  }
  const host = value(env, "HOST") ?? "0.0.0.0";
  return {
    port: integer(env, "PORT", spec.defaultPort, 0, 65535),
    host,
    logLevel,
    seedData,
    requestTimeoutSeconds: integer(
      env,
      "REQUEST_TIMEOUT_SECONDS",
      DEFAULT_REQUEST_TIMEOUT_SECONDS,
      1,
      600,
    ),
    cosmos: {
      endpoint: httpUrl(env, "COSMOSDB_ENDPOINT_URL"),
      key: masterKey(env),
      database,
      throughput: throughput(env),
    },
    parents: Object.fromEntries(
      Object.entries(spec.parents ?? {}).map(([name, variable]) => [name, httpUrl(env, variable)]),
    ),
  };
}

/** Reads the config or stops the process with exit code 1 and one line naming the variable. */
export function loadConfigOrExit<S extends ConfigSpec>(
  spec: S,
  env: Env = process.env,
): ServiceConfig<S> {
  try {
    return loadConfig(env, spec);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
}
