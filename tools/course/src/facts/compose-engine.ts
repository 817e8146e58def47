import { readFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { keyInFile } from "@course/service-kit";
import { DATABASE, STACK } from "@course/stack";
import { docker } from "../lib/docker.ts";
import { errorMessage } from "../lib/errors.ts";
import { shown } from "../lib/paths.ts";
import {
  type ComposeFacts,
  type ContainerFacts,
  type DockerfileFacts,
  EMPLOYEE_SERVICE,
  EMPLOYEES_CONTAINER,
  KEY_SECRET,
} from "./compose-types.ts";
import { builtFolders } from "./dockerfile.ts";
import { demultiplex } from "./probe.ts";

// What exercise 5 reads besides the compose file: the employee's Dockerfile, the containers as
// the engine runs them (Engine API), and the employees container from the stack's local database.

/** The employee's Dockerfile: there, not another service's, and building its own folder. */
export async function dockerfileFacts(facts: ComposeFacts): Promise<DockerfileFacts | undefined> {
  const build = facts.config.services[EMPLOYEE_SERVICE]?.build;
  if (build?.context === undefined) return undefined;
  const path = resolve(build.context, build.dockerfile ?? "Dockerfile");
  const own = relative(build.context, dirname(path)).split(sep).join("/");
  const fromContext = relative(build.context, path).split(sep).join("/");
  // Another service's Dockerfile: the employee answer's own (the reference) is the employee's.
  const ofService = STACK.find(
    (s) => s.dockerfile === fromContext && s.name !== EMPLOYEE_SERVICE,
  )?.name;
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch {
    text = undefined;
  }
  return {
    shown: shown(path),
    exists: text !== undefined,
    own,
    builds: text === undefined ? [] : builtFolders(text),
    ...(ofService ? { ofService } : {}),
  };
}

/** The employees container's partition key, from the stack's local database (published port). */
export async function partitionOf(facts: ComposeFacts): Promise<ComposeFacts["partition"]> {
  const employee = facts.config.services.employee;
  const database = employee?.environment?.COSMOSDB_DATABASE ?? "course";
  const local = facts.config.services[DATABASE.name];
  const published = local?.ports?.find((p) => p.target === DATABASE.port)?.published;
  const keyFile = facts.config.secrets?.[KEY_SECRET]?.file;
  const endpoint = employee?.environment?.COSMOSDB_ENDPOINT_URL ?? "";
  if (published === undefined || keyFile === undefined || !endpoint.includes(`${DATABASE.name}:`))
    return { database, error: "the stack does not use the local Cosmos DB server" };
  try {
    const client = new CosmosClient({
      endpoint: `http://127.0.0.1:${String(published)}`,
      key: keyInFile(await readFile(keyFile, "utf8")) ?? "",
      connectionPolicy: { enableEndpointDiscovery: false, requestTimeout: 5000 },
    });
    const { resource } = await client.database(database).container(EMPLOYEES_CONTAINER.id).read();
    client.dispose();
    return { database, paths: resource?.partitionKey?.paths ?? [] };
  } catch (error) {
    return { database, error: errorMessage(error) };
  }
}

export async function containerOf(project: string, service: string) {
  const [found] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  return found ? docker.getContainer(found.Id) : undefined;
}

export async function employeeFacts(
  container: ReturnType<typeof docker.getContainer>,
): Promise<{ facts: ContainerFacts; imageId: string }> {
  const info = await container.inspect();
  // dockerode's types leave out some of HostConfig's fields; these are the ones read here.
  const host = info.HostConfig as {
    ReadonlyRootfs?: boolean;
    Tmpfs?: Record<string, string>;
    Init?: boolean | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    Memory?: number;
    NanoCpus?: number;
    PidsLimit?: number | null;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null>;
  };
  const logs = await container.logs({ stdout: true, stderr: true, tail: 20 });
  return {
    imageId: info.Image,
    facts: {
      status: info.State.Status,
      ...(info.State.Health?.Status ? { health: info.State.Health.Status } : {}),
      env: info.Config.Env,
      readOnly: host.ReadonlyRootfs === true,
      tmpfs: Object.keys(host.Tmpfs ?? {}),
      capDrop: host.CapDrop ?? [],
      securityOpt: host.SecurityOpt ?? [],
      init: host.Init === true,
      memory: host.Memory ?? 0,
      nanoCpus: host.NanoCpus ?? 0,
      pidsLimit: host.PidsLimit ?? 0,
      published: Object.values(host.PortBindings ?? {}).flatMap((bindings) =>
        (bindings ?? []).map((b) => `${b.HostIp || "0.0.0.0"}:${b.HostPort}`),
      ),
      mounts: info.Mounts.map((m) => m.Destination),
      healthcheck: (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [],
      logTail: demultiplex(logs)
        .split("\n")
        .map((l) => l.trimEnd())
        .filter(Boolean),
    },
  };
}
