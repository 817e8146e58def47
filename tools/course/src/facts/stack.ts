import { readFileSync } from "node:fs";
import { parse } from "yaml";

// What `course check 6` reads: the trainee's stack file as YAML (anchors and `<<` merges
// resolved), no engine needed. A swarm is theirs to run; the file is what can be judged anywhere.

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

export interface StackFacts {
  file: string;
  services: Record<string, StackService>;
  secrets: Record<string, unknown>;
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
