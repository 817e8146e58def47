import type { StackFacts, StackService } from "../facts/stack.ts";
import { type Check, notChecked, type Rule } from "./types.ts";

// The rules of exercise 6, on the employee service of the trainee's stack file: what a rolling
// update without failed requests needs (replicas, start-first, a healthcheck to gate it, a
// rollback), and what swarm changes from compose (no build, the key as a secret, no ports).

const SERVICE = "employee";

const check = (
  id: string,
  title: string,
  passed: boolean,
  found: string,
  expected: string,
  hint: string,
): Check => ({ id, title, passed, found, expected, hint: passed ? "" : hint });

const rule =
  (id: string, title: string, judge: (service: StackService, facts: StackFacts) => Check) =>
  (facts: StackFacts): Check => {
    const service = facts.services[SERVICE];
    if (service === undefined)
      return notChecked(id, title, `there is no ${SERVICE} service`, "the service's entry");
    return judge(service, facts);
  };

const hasService: Rule<StackFacts> = (facts) =>
  check(
    "service",
    `the stack has an ${SERVICE} service`,
    SERVICE in facts.services,
    Object.keys(facts.services).join(", ") || "no services",
    SERVICE,
    `Add a service named ${SERVICE} under services:, with the image exercise 5 built.`,
  );

/** `${TAG:-1.0.0}` as swarm resolves it when TAG is not set. */
const withDefaults = (text: string) => text.replace(/\$\{\w+:-([^}]*)\}/g, "$1");

const image = rule("image", "an image with a tag, no build:", (service) =>
  check(
    "image",
    "an image with a tag, no build:",
    /:[\w.-]+$/.test(withDefaults(service.image ?? "")) && service.build === undefined,
    `image: ${service.image ?? "none"}${service.build === undefined ? "" : ", and build:"}`,
    "image: advanced-docker/employee:<tag>, no build:",
    "docker stack deploy never builds: build with compose first, and name the image with its tag.",
  ),
);

const replicas = rule("replicas", "two replicas or more", (service) =>
  check(
    "replicas",
    "two replicas or more",
    (service.deploy?.replicas ?? 1) >= 2,
    `replicas: ${String(service.deploy?.replicas ?? "not set (1)")}`,
    "replicas: 2 or more",
    "With one task, an update has nothing to keep serving while it replaces it. Where do deploy: settings go?",
  ),
);

const startFirst = rule("update-order", "updates start the new task first, and roll back", (s) => {
  const update = s.deploy?.update_config ?? {};
  return check(
    "update-order",
    "updates start the new task first, and roll back",
    update.order === "start-first" && update.failure_action === "rollback",
    `order: ${update.order ?? "stop-first (the default)"}, failure_action: ${update.failure_action ?? "pause (the default)"}`,
    "order: start-first, failure_action: rollback",
    "By default swarm stops the old task before starting its replacement. Look at update_config in the stack file reference.",
  );
});

const healthcheck = rule("healthcheck", "a healthcheck gates the update", (service) => {
  const disabled =
    service.healthcheck?.disable === true || [service.healthcheck?.test].flat()[0] === "NONE";
  return check(
    "healthcheck",
    "a healthcheck gates the update",
    service.healthcheck !== undefined && !disabled,
    service.healthcheck === undefined ? "no healthcheck:" : disabled ? "disabled" : "healthcheck:",
    "healthcheck: (the image's test, with start_interval for a quick start)",
    "Swarm moves on to the next task once the new one is healthy: without a healthcheck, 'running' is all it waits for.",
  );
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

const secret = rule("secret", "the key arrives as a secret", (service, facts) => {
  const names = (service.secrets ?? []).map((s) => (typeof s === "string" ? s : s.source));
  const env = environment(service);
  const passed =
    names.length > 0 &&
    names.every((n) => n in facts.secrets) &&
    typeof env.COSMOSDB_MASTER_KEY_FILE === "string" &&
    !env.COSMOSDB_MASTER_KEY;
  return check(
    "secret",
    "the key arrives as a secret",
    passed,
    `secrets: ${names.join(", ") || "none"}; COSMOSDB_MASTER_KEY_FILE ${env.COSMOSDB_MASTER_KEY_FILE ? "set" : "not set"}; COSMOSDB_MASTER_KEY ${env.COSMOSDB_MASTER_KEY ? "set" : "not set"}`,
    "a secret declared under secrets:, named by the service, COSMOSDB_MASTER_KEY_FILE pointing at it",
    "A variable shows in docker service inspect; a secret is a file under /run/secrets/ only in the tasks that name it.",
  );
});

const unpublished = rule("ports", "nothing published", (service) =>
  check(
    "ports",
    "nothing published",
    (service.ports ?? []).length === 0,
    `ports: ${JSON.stringify(service.ports ?? [])}`,
    "no ports: (reach it from a container on the stack's network)",
    "The README reaches the service from a container attached to the overlay network: the service needs no published port.",
  ),
);

export const STACK_RULES: Rule<StackFacts>[] = [
  hasService,
  image,
  replicas,
  startFirst,
  healthcheck,
  secret,
  unpublished,
];
