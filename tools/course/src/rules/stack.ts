import { EMPLOYEE_SERVICE } from "../facts/compose-types.ts";
import type { StackFacts, StackService } from "../facts/stack-types.ts";
import type { Rule, Verdict } from "../lib/contract.ts";
import {
  deployed,
  deployedHealthcheck,
  deployedOrder,
  deployedPorts,
  deployedSecret,
  replicasHealthy,
} from "./stack-swarm.ts";

// The rules of exercise 6, on the employee service of the trainee's stack file: what a rolling
// update without failed requests needs (replicas, start-first, a healthcheck to gate it, a
// rollback), and what swarm changes from compose (no build, the key as a secret, no ports). The
// file's rules come first; the swarm-* rules judge the same things on the stack as swarm deployed
// it (the Engine API's service specs and tasks), and are "not checked" when it did not deploy.

const SERVICE = EMPLOYEE_SERVICE;

export type StackId =
  | "service"
  | "image"
  | "replicas"
  | "update-order"
  | "healthcheck"
  | "secret"
  | "ports"
  | "swarm-deploy"
  | "swarm-replicas"
  | "swarm-update-order"
  | "swarm-healthcheck"
  | "swarm-secret"
  | "swarm-ports";

export type StackRule = Rule<StackFacts, StackId>;

/** A rule about the employee service's entry in the file: judged once there is one. */
const onService = (rule: {
  id: StackId;
  title: string;
  judge: (service: StackService, facts: StackFacts) => Verdict;
}): StackRule => ({
  id: rule.id,
  title: rule.title,
  needs: ["service"],
  judge: (facts) => {
    const service = facts.services[SERVICE];
    return service === undefined
      ? { unjudged: `there is no ${SERVICE} service`, first: "service" }
      : rule.judge(service, facts);
  },
});

const hasService: StackRule = {
  id: "service",
  title: `the stack has an ${SERVICE} service`,
  beforeStart: true,
  failedMeans: `there is no ${SERVICE} service`,
  judge: (facts) => ({
    passed: SERVICE in facts.services,
    found: Object.keys(facts.services).join(", ") || "no services",
    expected: SERVICE,
    hint: `Add a service named ${SERVICE} under services:, with the image exercise 5 built.`,
  }),
};

/** `${TAG:-1.0.0}` as swarm resolves it when TAG is not set. */
const withDefaults = (text: string) => text.replace(/\$\{\w+:-([^}]*)\}/g, "$1");

const image = onService({
  id: "image",
  title: "an image with a tag, no build:",
  judge: (service) => ({
    passed: /:[\w.-]+$/.test(withDefaults(service.image ?? "")) && service.build === undefined,
    found: `image: ${service.image ?? "none"}${service.build === undefined ? "" : ", and build:"}`,
    expected: "image: advanced-docker/employee:<tag>, no build:",
    hint: "docker stack deploy never builds: build with compose first, and name the image with its tag.",
  }),
});

const replicas = onService({
  id: "replicas",
  title: "two replicas or more",
  judge: (service) => ({
    passed: (service.deploy?.replicas ?? 1) >= 2,
    found: `replicas: ${String(service.deploy?.replicas ?? "not set (1)")}`,
    expected: "replicas: 2 or more",
    hint: "With one task, an update has nothing to keep serving while it replaces it. Where do deploy: settings go?",
  }),
});

const startFirst = onService({
  id: "update-order",
  title: "updates start the new task first, and roll back",
  judge: (s) => {
    const update = s.deploy?.update_config ?? {};
    return {
      passed: update.order === "start-first" && update.failure_action === "rollback",
      found: `order: ${update.order ?? "stop-first (the default)"}, failure_action: ${update.failure_action ?? "pause (the default)"}`,
      expected: "order: start-first, failure_action: rollback",
      hint: "By default swarm stops the old task before starting its replacement. Look at update_config in the stack file reference.",
    };
  },
});

const healthcheck = onService({
  id: "healthcheck",
  title: "a healthcheck gates the update",
  judge: (service) => {
    const disabled =
      service.healthcheck?.disable === true || [service.healthcheck?.test].flat()[0] === "NONE";
    return {
      passed: service.healthcheck !== undefined && !disabled,
      found:
        service.healthcheck === undefined
          ? "no healthcheck:"
          : disabled
            ? "disabled"
            : "healthcheck:",
      expected: "healthcheck: (the image's test, with start_interval for a quick start)",
      hint: "Swarm moves on to the next task once the new one is healthy: without a healthcheck, 'running' is all it waits for.",
    };
  },
});

const environment = (service: StackService): Record<string, string | null | undefined> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(
        service.environment.map((e): [string, string | undefined] => [
          e.split("=")[0] ?? "",
          e.split("=")[1],
        ]),
      )
    : (service.environment ?? {});

const secret = onService({
  id: "secret",
  title: "the key arrives as a secret",
  judge: (service, facts) => {
    const names = (service.secrets ?? []).map((s) => (typeof s === "string" ? s : s.source));
    const env = environment(service);
    const passed =
      names.length > 0 &&
      names.every((n) => n in facts.secrets) &&
      typeof env.COSMOSDB_MASTER_KEY_FILE === "string" &&
      !env.COSMOSDB_MASTER_KEY;
    return {
      passed: passed,
      found: `secrets: ${names.join(", ") || "none"}; COSMOSDB_MASTER_KEY_FILE ${env.COSMOSDB_MASTER_KEY_FILE ? "set" : "not set"}; COSMOSDB_MASTER_KEY ${env.COSMOSDB_MASTER_KEY ? "set" : "not set"}`,
      expected:
        "a secret declared under secrets:, named by the service, COSMOSDB_MASTER_KEY_FILE pointing at it",
      hint: "A variable shows in docker service inspect; a secret is a file under /run/secrets/ only in the tasks that name it.",
    };
  },
});

const unpublished = onService({
  id: "ports",
  title: "nothing published",
  judge: (service) => ({
    passed: (service.ports ?? []).length === 0,
    found: `ports: ${JSON.stringify(service.ports ?? [])}`,
    expected: "no ports: (reach it from a container on the stack's network)",
    hint: "The README reaches the service from a container attached to the overlay network: the service needs no published port.",
  }),
});

export const STACK_RULES: StackRule[] = [
  hasService,
  image,
  replicas,
  startFirst,
  healthcheck,
  secret,
  unpublished,
  deployed,
  replicasHealthy,
  deployedOrder,
  deployedHealthcheck,
  deployedSecret,
  deployedPorts,
];
