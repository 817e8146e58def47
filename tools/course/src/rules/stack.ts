import { EMPLOYEE_SERVICE } from "../facts/compose.ts";
import type { DeployedService, StackFacts, StackService } from "../facts/stack.ts";
import { type Check, check, notChecked, type Rule } from "./types.ts";

// The rules of exercise 6, on the employee service of the trainee's stack file: what a rolling
// update without failed requests needs (replicas, start-first, a healthcheck to gate it, a
// rollback), and what swarm changes from compose (no build, the key as a secret, no ports). The
// file's rules come first; the swarm-* rules judge the same things on the stack as swarm deployed
// it (the Engine API's service specs and tasks), and are "not checked" when it did not deploy.

const SERVICE = EMPLOYEE_SERVICE;

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

/** The checks that must pass before the stack is deployed: without them there is nothing to judge. */
export const REQUIRED_TO_DEPLOY = ["service"];

const DEPLOY_EXPECTED = "docker stack deploy succeeds on a single-node swarm";

const lastLines = (output: string) =>
  output.trim().split("\n").slice(-3).join(" / ").slice(0, 400) || "no output";

const deployed: Rule<StackFacts> = ({ deploy }) => {
  const title = "the stack deploys";
  if (deploy === undefined)
    return notChecked("swarm-deploy", title, "it was not deployed", "service");
  if (deploy.state === "not-run" && deploy.blockedBy)
    return notChecked("swarm-deploy", title, "it was not deployed", deploy.blockedBy);
  if (deploy.state === "not-run")
    return check(
      "swarm-deploy",
      title,
      false,
      `not deployed: ${deploy.reason}`,
      DEPLOY_EXPECTED,
      "The check deploys on this engine's swarm, or on a single-node swarm of its own when the engine is in none. `npx course doctor` says whether the engine answers.",
    );
  return check(
    "swarm-deploy",
    title,
    deploy.state === "deployed",
    deploy.state === "deployed"
      ? `deployed as ${deploy.stack} in ${deploy.seconds.toFixed(1)} s`
      : lastLines(deploy.output),
    DEPLOY_EXPECTED,
    "Read the error above: `docker stack deploy` names the line of the stack file it could not use (a key in the wrong place, a secret or network that is not declared).",
  );
};

/** A rule about the deployed stack: "not checked" when it did not deploy. */
const onSwarm =
  (
    id: string,
    title: string,
    judge: (service: DeployedService, all: DeployedService[]) => Check,
  ): Rule<StackFacts> =>
  (facts) => {
    if (facts.deploy?.state !== "deployed" || facts.deployed === undefined)
      return notChecked(id, title, "the stack did not deploy", "swarm-deploy");
    const service = facts.deployed[SERVICE];
    if (service === undefined)
      return notChecked(id, title, `swarm runs no ${SERVICE} service`, "service");
    return judge(service, Object.values(facts.deployed));
  };

const replicasHealthy = onSwarm("swarm-replicas", "every replica running and healthy", (_, all) => {
  const short = all.filter((s) => s.healthy < s.replicas || s.running < s.replicas);
  const state = (s: DeployedService) =>
    `${s.name} ${String(s.healthy)}/${String(s.replicas)} healthy${s.taskError ? ` (${s.taskError})` : ""}`;
  return check(
    "swarm-replicas",
    "every replica running and healthy",
    short.length === 0,
    short.length === 0 ? all.map(state).join(", ") : short.map(state).join(", "),
    "every service with all its replicas running and healthy",
    short.some((s) => /no such image/i.test(s.taskError ?? ""))
      ? "Swarm never builds, and here it asks no registry: every image the stack names must be on this machine. Is its name and tag the one compose built?"
      : "`docker service ps --no-trunc <service>` shows why a task stopped; `docker service logs <service>` what it printed. Does the service reach the database and its parent by their service names on the stack's network?",
  );
});

const deployedOrder = onSwarm(
  "swarm-update-order",
  "swarm starts the new task first, and rolls back",
  ({ updateConfig }) =>
    check(
      "swarm-update-order",
      "swarm starts the new task first, and rolls back",
      updateConfig.Order === "start-first" && updateConfig.FailureAction === "rollback",
      `UpdateConfig.Order: ${updateConfig.Order ?? "none"}, FailureAction: ${updateConfig.FailureAction ?? "none"}`,
      "UpdateConfig.Order: start-first, FailureAction: rollback",
      "`docker service inspect` shows the update settings swarm took from your file. Did update_config end up under deploy: of the employee service?",
    ),
);

const deployedHealthcheck = onSwarm(
  "swarm-healthcheck",
  "the tasks run a healthcheck",
  ({ healthcheck: hc }) =>
    check(
      "swarm-healthcheck",
      "the tasks run a healthcheck",
      hc.source !== "none" && hc.test[0] !== "NONE",
      hc.source === "none" ? "no healthcheck" : `${hc.source}: ${hc.test.join(" ")}`,
      "a healthcheck, from the service or its image",
      "Without a healthcheck a task counts as running as soon as its process starts, ready or not. Is the healthcheck disabled in the stack file?",
    ),
);

const deployedSecret = onSwarm("swarm-secret", "the key is a Swarm secret", (service) => {
  const paths = service.secrets.map((s) =>
    s.file.startsWith("/") ? s.file : `/run/secrets/${s.file}`,
  );
  const named = service.keyFile !== undefined && paths.includes(service.keyFile);
  return check(
    "swarm-secret",
    "the key is a Swarm secret",
    named && !service.keyInEnv,
    `secrets: ${service.secrets.map((s) => s.name).join(", ") || "none"}; COSMOSDB_MASTER_KEY_FILE: ${service.keyFile ?? "not set"}; the key in a variable: ${service.keyInEnv ? "yes" : "no"}`,
    "a secret mounted under /run/secrets/, COSMOSDB_MASTER_KEY_FILE naming it, no variable holding the key",
    service.keyInEnv
      ? "`docker service inspect` shows every variable to anyone who can reach the engine: the key must not be one."
      : "Swarm mounts a secret at /run/secrets/<name> in the tasks that list it. Does COSMOSDB_MASTER_KEY_FILE name that path?",
  );
});

const deployedPorts = onSwarm("swarm-ports", "swarm publishes no port", (_, all) => {
  const open = all.flatMap((s) =>
    s.published.map(
      (p) =>
        `${s.name} ${String(p.published ?? "?")}:${String(p.target)}${p.mode ? `/${p.mode}` : ""}`,
    ),
  );
  return check(
    "swarm-ports",
    "swarm publishes no port",
    open.length === 0,
    open.length === 0 ? "no published port" : open.join(", "),
    "no published port: the README reaches the services from a container on the stack's network",
    "A published port opens the service to every machine that can reach this one. Which ports: entry is still there?",
  );
});

export const STACK_RULES: Rule<StackFacts>[] = [
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
