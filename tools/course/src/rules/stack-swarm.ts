import { EMPLOYEE_SERVICE as SERVICE } from "../facts/compose-types.ts";
import type { DeployedService } from "../facts/stack-types.ts";
import type { Unjudged, Verdict } from "../lib/contract.ts";
import type { StackId, StackRule } from "./stack.ts";

// The swarm-* rules of exercise 6: the stack as swarm deployed it (the Engine API's service specs
// and tasks), judged once it deployed.

const DEPLOY_EXPECTED = "docker stack deploy succeeds on a single-node swarm";

const lastLines = (output: string) =>
  output.trim().split("\n").slice(-3).join(" / ").slice(0, 400) || "no output";

export const deployed: StackRule = {
  id: "swarm-deploy",
  title: "the stack deploys",
  // The stack is deployed only when the rules judged before a start pass.
  needs: ["service"],
  unchecked: "it was not deployed",
  failedMeans: "the stack did not deploy",
  judge: ({ deploy }) => {
    if (deploy === undefined) return { unjudged: "it was not deployed", first: "service" };
    if (deploy.state === "not-run")
      return {
        passed: false,
        found: `not deployed: ${deploy.reason}`,
        expected: DEPLOY_EXPECTED,
        hint: "The check deploys on this engine's swarm, or on a single-node swarm of its own when the engine is in none. `npx course doctor` says whether the engine answers.",
      };
    return {
      passed: deploy.state === "deployed",
      found:
        deploy.state === "deployed"
          ? `deployed as ${deploy.stack} in ${deploy.seconds.toFixed(1)} s`
          : lastLines(deploy.output),
      expected: DEPLOY_EXPECTED,
      hint: "Read the error above: `docker stack deploy` names the line of the stack file it could not use (a key in the wrong place, a secret or network that is not declared).",
    };
  },
};

/** A rule about the deployed stack: "not checked" when it did not deploy. */
const onSwarm = (rule: {
  id: StackId;
  title: string;
  judge: (service: DeployedService, all: DeployedService[]) => Verdict;
}): StackRule => ({
  id: rule.id,
  title: rule.title,
  needs: ["swarm-deploy"],
  judge: (facts): Verdict | Unjudged<StackId> => {
    if (facts.deploy?.state !== "deployed" || facts.deployed === undefined)
      return { unjudged: "the stack did not deploy", first: "swarm-deploy" };
    const service = facts.deployed[SERVICE];
    if (service === undefined)
      return { unjudged: `swarm runs no ${SERVICE} service`, first: "service" };
    return rule.judge(service, Object.values(facts.deployed));
  },
});

export const replicasHealthy = onSwarm({
  id: "swarm-replicas",
  title: "every replica running and healthy",
  judge: (_, all) => {
    const short = all.filter((s) => s.healthy < s.replicas || s.running < s.replicas);
    const state = (s: DeployedService) =>
      `${s.name} ${String(s.healthy)}/${String(s.replicas)} healthy${s.taskError ? ` (${s.taskError})` : ""}`;
    return {
      passed: short.length === 0,
      found: short.length === 0 ? all.map(state).join(", ") : short.map(state).join(", "),
      expected: "every service with all its replicas running and healthy",
      hint: short.some((s) => /no such image/i.test(s.taskError ?? ""))
        ? "Swarm never builds, and here it asks no registry: every image the stack names must be on this machine. Is its name and tag the one compose built?"
        : "`docker service ps --no-trunc <service>` shows why a task stopped; `docker service logs <service>` what it printed. Does the service reach the database and its parent by their service names on the stack's network?",
    };
  },
});

export const deployedOrder = onSwarm({
  id: "swarm-update-order",
  title: "swarm starts the new task first, and rolls back",
  judge: ({ updateConfig }) => ({
    passed: updateConfig.Order === "start-first" && updateConfig.FailureAction === "rollback",
    found: `UpdateConfig.Order: ${updateConfig.Order ?? "none"}, FailureAction: ${updateConfig.FailureAction ?? "none"}`,
    expected: "UpdateConfig.Order: start-first, FailureAction: rollback",
    hint: "`docker service inspect` shows the update settings swarm took from your file. Did update_config end up under deploy: of the employee service?",
  }),
});

export const deployedHealthcheck = onSwarm({
  id: "swarm-healthcheck",
  title: "the tasks run a healthcheck",
  judge: ({ healthcheck: hc }) => ({
    passed: hc.source !== "none" && hc.test[0] !== "NONE",
    found: hc.source === "none" ? "no healthcheck" : `${hc.source}: ${hc.test.join(" ")}`,
    expected: "a healthcheck, from the service or its image",
    hint: "Without a healthcheck a task counts as running as soon as its process starts, ready or not. Is the healthcheck disabled in the stack file?",
  }),
});

export const deployedSecret = onSwarm({
  id: "swarm-secret",
  title: "the key is a Swarm secret",
  judge: (service) => {
    const paths = service.secrets.map((s) =>
      s.file.startsWith("/") ? s.file : `/run/secrets/${s.file}`,
    );
    const named = service.keyFile !== undefined && paths.includes(service.keyFile);
    return {
      passed: named && !service.keyInEnv,
      found: `secrets: ${service.secrets.map((s) => s.name).join(", ") || "none"}; COSMOSDB_MASTER_KEY_FILE: ${service.keyFile ?? "not set"}; the key in a variable: ${service.keyInEnv ? "yes" : "no"}`,
      expected:
        "a secret mounted under /run/secrets/, COSMOSDB_MASTER_KEY_FILE naming it, no variable holding the key",
      hint: service.keyInEnv
        ? "`docker service inspect` shows every variable to anyone who can reach the engine: the key must not be one."
        : "Swarm mounts a secret at /run/secrets/<name> in the tasks that list it. Does COSMOSDB_MASTER_KEY_FILE name that path?",
    };
  },
});

export const deployedPorts = onSwarm({
  id: "swarm-ports",
  title: "swarm publishes no port",
  judge: (_, all) => {
    const open = all.flatMap((s) =>
      s.published.map(
        (p) =>
          `${s.name} ${String(p.published ?? "?")}:${String(p.target)}${p.mode ? `/${p.mode}` : ""}`,
      ),
    );
    return {
      passed: open.length === 0,
      found: open.length === 0 ? "no published port" : open.join(", "),
      expected:
        "no published port: the README reaches the services from a container on the stack's network",
      hint: "A published port opens the service to every machine that can reach this one. Which ports: entry is still there?",
    };
  },
});
