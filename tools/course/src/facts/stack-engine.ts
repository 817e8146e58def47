import { readFileSync } from "node:fs";
import { docker } from "../lib/docker.ts";
import { inRepo } from "../lib/paths.ts";
import { liveTasks } from "../lib/swarm.ts";
import type { DeployedService } from "./stack-types.ts";

// The stack as swarm runs it, from the Engine API: each service's spec, its tasks and their
// health, by the stack file's names.

const LOCAL_KEY = readFileSync(inRepo("infra/cosmosdb/local-master-key"), "utf8").trim();

interface ServiceSpec {
  Name: string;
  Mode?: { Replicated?: { Replicas?: number } };
  UpdateConfig?: { Order?: string; FailureAction?: string };
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Env?: string[];
      Healthcheck?: { Test?: string[] };
      Secrets?: { SecretName: string; File?: { Name: string } }[];
    };
  };
  EndpointSpec?: { Ports?: { TargetPort: number; PublishedPort?: number; PublishMode?: string }[] };
}

async function healthOf(containerId: string | undefined) {
  if (!containerId) return undefined;
  try {
    return (await docker.getContainer(containerId).inspect()).State.Health?.Status ?? "none";
  } catch {
    return undefined;
  }
}

async function imageHealthcheck(image: string): Promise<string[]> {
  try {
    const info = await docker.getImage(image).inspect();
    return (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [];
  } catch {
    return [];
  }
}

async function serviceFacts(stack: string, spec: ServiceSpec): Promise<DeployedService> {
  const container = spec.TaskTemplate.ContainerSpec;
  const tasks = await liveTasks(spec.Name);
  const running = tasks.filter((task) => task.Status.State === "running");
  const health = await Promise.all(
    running.map((task) => healthOf(task.Status.ContainerStatus?.ContainerID)),
  );
  const all = (await docker.listTasks({ filters: { service: [spec.Name] } })) as {
    Status: { Err?: string };
  }[];
  const taskError = all.map((t) => t.Status.Err).find(Boolean);
  const env = Object.fromEntries(
    (container.Env ?? []).map((e) => [e.split("=")[0] ?? "", e.slice(e.indexOf("=") + 1)]),
  );
  const own = container.Healthcheck?.Test ?? [];
  const fromImage = own.length ? [] : await imageHealthcheck(container.Image);
  return {
    name: spec.Name.slice(stack.length + 1),
    replicas: spec.Mode?.Replicated?.Replicas ?? 1,
    running: running.length,
    healthy: health.filter((h) => h === "healthy" || h === "none").length,
    ...(taskError ? { taskError } : {}),
    updateConfig: spec.UpdateConfig ?? {},
    healthcheck: own.length
      ? { source: "service", test: own }
      : fromImage.length
        ? { source: "image", test: fromImage }
        : { source: "none", test: [] },
    secrets: (container.Secrets ?? []).map((s) => ({
      name: s.SecretName,
      file: s.File?.Name ?? "",
    })),
    envNames: Object.keys(env),
    ...(env.COSMOSDB_MASTER_KEY_FILE ? { keyFile: env.COSMOSDB_MASTER_KEY_FILE } : {}),
    keyInEnv:
      Boolean(env.COSMOSDB_MASTER_KEY) || Object.values(env).some((value) => value === LOCAL_KEY),
    published: (spec.EndpointSpec?.Ports ?? []).map((p) => ({
      target: p.TargetPort,
      ...(p.PublishedPort ? { published: p.PublishedPort } : {}),
      ...(p.PublishMode ? { mode: p.PublishMode } : {}),
    })),
  };
}

/** The stack's services as swarm runs them, by the stack file's names. */
export async function deployedFacts(stack: string): Promise<Record<string, DeployedService>> {
  const services = await docker.listServices({
    filters: { label: [`com.docker.stack.namespace=${stack}`] },
  });
  const facts = await Promise.all(
    services.map((s) => serviceFacts(stack, s.Spec as unknown as ServiceSpec)),
  );
  return Object.fromEntries(facts.map((f) => [f.name, f]));
}
