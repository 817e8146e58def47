import type { Limits, ServiceLimits } from "./figures.ts";

// The limits compose gives each service, read from `docker compose config --format json` (which
// resolves includes, anchors and units: memory in bytes, CPUs as a number), so the report says
// what the compose file says.

interface ComposeService {
  mem_limit?: string | number;
  cpus?: string | number;
  deploy?: { resources?: { limits?: { memory?: string | number; cpus?: string | number } } };
}

export interface ComposeConfig {
  services?: Record<string, ComposeService>;
}

function number(value: string | number | undefined, what: string): number | undefined {
  if (value === undefined || value === "" || value === 0 || value === "0") return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`${what} is ${String(value)}, not a number`);
  return parsed;
}

/** The CPU and memory limits of the services named, as the resolved compose config sets them. */
export function limitsOf(
  config: ComposeConfig,
  composeFile: string,
  services: readonly string[],
): Limits {
  const limits: Record<string, ServiceLimits> = {};
  for (const name of services) {
    const service = config.services?.[name];
    if (!service) throw new Error(`${composeFile} has no service ${name}`);
    const deploy = service.deploy?.resources?.limits;
    const cpus = number(service.cpus ?? deploy?.cpus, `${name}'s cpus`);
    const memoryBytes = number(service.mem_limit ?? deploy?.memory, `${name}'s mem_limit`);
    limits[name] = {
      ...(cpus === undefined ? {} : { cpus }),
      ...(memoryBytes === undefined ? {} : { memoryBytes }),
    };
  }
  return { composeFile, services: limits };
}
