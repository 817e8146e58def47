import { readFileSync } from "node:fs";
import { parse } from "yaml";

// What `course check 6` reads: the trainee's stack file as YAML (anchors and `<<` merges
// resolved), and then the stack as swarm deployed it, from the Engine API.

export interface StackService {
  image?: string;
  build?: unknown;
  ports?: unknown[];
  environment?: Record<string, string | null> | string[];
  secrets?: (string | { source: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  deploy?: {
    replicas?: number;
    endpoint_mode?: string;
    update_config?: { order?: string; failure_action?: string };
  };
}

export function readStack(file: string): StackFacts {
  const document = (parse(readFileSync(file, "utf8"), { merge: true }) ?? {}) as {
    services?: Record<string, StackService | null>;
    secrets?: Record<string, unknown>;
  };
  const services = Object.fromEntries(
    Object.entries(document.services ?? {}).map(([name, service]) => [name, service ?? {}]),
  );
  return { file, services, secrets: document.secrets ?? {} };
}

/** What happened when the check deployed the stack on a single-node swarm. */
export type DeployFacts =
  | { state: "not-run"; reason: string; blockedBy?: string }
  | { state: "failed"; output: string }
  | { state: "deployed"; stack: string; seconds: number };

/** One deployed service, from the Engine API (docker service inspect, docker service ps). */
export interface DeployedService {
  /** The stack file's name for it (employee), not swarm's (stack_employee). */
  name: string;
  replicas: number;
  running: number;
  /** Running tasks whose container is healthy, or has no healthcheck to pass. */
  healthy: number;
  /** The last error of a task that failed or was rejected (No such image, a failed healthcheck). */
  taskError?: string;
  updateConfig: { Order?: string; FailureAction?: string };
  /** The healthcheck test the tasks run: the service's own, else the image's. */
  healthcheck: { source: "service" | "image" | "none"; test: string[] };
  secrets: { name: string; file: string }[];
  /** Variable names only: a value may be the key. */
  envNames: string[];
  /** COSMOSDB_MASTER_KEY_FILE, a path (never the key). */
  keyFile?: string;
  /** The key's value appears in a variable (COSMOSDB_MASTER_KEY, or any other). */
  keyInEnv: boolean;
  published: { target: number; published?: number; mode?: string }[];
}

export interface StackFacts {
  file: string;
  services: Record<string, StackService>;
  secrets: Record<string, unknown>;
  deploy?: DeployFacts;
  /** The deployed services by the stack file's names, once the stack deployed. */
  deployed?: Record<string, DeployedService>;
}
