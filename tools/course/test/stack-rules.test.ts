import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { findExercise, type StackExercise } from "../src/catalogue.ts";
import {
  type DeployedService,
  readStack,
  type StackFacts,
  type StackService,
} from "../src/facts/stack-types.ts";
import { applyRules } from "../src/lib/contract.ts";
import { repoRoot } from "../src/lib/paths.ts";

// The rules of exercise 6: the course's own stack file (the reference answer) passes, and each
// mistake fails the check that names it, with a hint. The swarm-* rules are judged on facts in the
// shape the check reads from the Engine API (recorded from the reference deployed by the check).

const exercise = findExercise(6) as StackExercise;

/** A service of the reference as swarm ran it (`docker service inspect`, its tasks). */
const onSwarm = (name: string, replicas: number): DeployedService => ({
  name,
  replicas,
  running: replicas,
  healthy: replicas,
  updateConfig: {
    Order: name === "cosmosdb" ? "stop-first" : "start-first",
    FailureAction: "rollback",
  },
  healthcheck: { source: "service", test: ["CMD", "/nodejs/bin/node", "/app/healthcheck.js"] },
  secrets:
    name === "cosmosdb" ? [] : [{ name: "s_cosmosdb_master_key", file: "cosmosdb_master_key" }],
  envNames: ["COSMOSDB_ENDPOINT_URL", "COSMOSDB_MASTER_KEY_FILE", "COSMOSDB_DATABASE"],
  ...(name === "cosmosdb" ? {} : { keyFile: "/run/secrets/cosmosdb_master_key" }),
  keyInEnv: false,
  published: [],
});

const reference: StackFacts = {
  ...readStack(join(repoRoot, "deploy/swarm/stack.yaml")),
  deploy: { state: "deployed", stack: "course-check-6-1-abcdef", seconds: 12.3 },
  deployed: Object.fromEntries(
    ["cosmosdb", "company", "department", "employee"].map((n) => [
      n,
      onSwarm(n, n === "cosmosdb" ? 1 : 2),
    ]),
  ),
};
const STATIC = exercise.rules.length - 6;
const failed = (facts: StackFacts) => applyRules(exercise.rules, facts).filter((c) => !c.passed);

/** The reference with the employee service changed by `change`. */
function withEmployee(change: (service: StackService) => StackService): StackFacts {
  const employee = structuredClone(reference.services.employee ?? {});
  return { ...reference, services: { ...reference.services, employee: change(employee) } };
}

/** The reference with the deployed employee service changed by `change`. */
function deployedEmployee(change: (service: DeployedService) => DeployedService): StackFacts {
  const employee = structuredClone(reference.deployed?.employee ?? onSwarm("employee", 2));
  return { ...reference, deployed: { ...reference.deployed, employee: change(employee) } };
}

test("the reference answer, deploy/swarm/stack.yaml, passes every check", () => {
  assert.equal(exercise.kind, "stack");
  assert.deepEqual(failed(reference), []);
});

const MISTAKES: [string, (s: StackService) => StackService, string][] = [
  ["a build: left in", (s) => ({ ...s, build: { context: "." } }), "image"],
  ["an image with no tag", (s) => ({ ...s, image: "advanced-docker/employee" }), "image"],
  ["one replica", (s) => ({ ...s, deploy: { ...s.deploy, replicas: 1 } }), "replicas"],
  [
    "the default stop-first",
    (s) => ({ ...s, deploy: { ...s.deploy, update_config: {} } }),
    "update-order",
  ],
  ["no healthcheck", (s) => ({ ...s, healthcheck: undefined }), "healthcheck"],
  ["a disabled healthcheck", (s) => ({ ...s, healthcheck: { disable: true } }), "healthcheck"],
  [
    "the key as a variable",
    (s) => ({ ...s, secrets: [], environment: { COSMOSDB_MASTER_KEY: "k" } }),
    "secret",
  ],
  ["a published port", (s) => ({ ...s, ports: ["8003:8003"] }), "ports"],
];

for (const [mistake, change, id] of MISTAKES)
  test(`${mistake} fails "${id}" with a hint`, () => {
    const failures = failed(withEmployee(change));
    assert.deepEqual(
      failures.map((c) => c.id),
      [id],
    );
    assert.ok((failures[0]?.hint ?? "").length > 0);
  });

test("no employee service: the service check fails and the others are not checked", () => {
  const services = Object.fromEntries(
    Object.entries(reference.services).filter(([name]) => name !== "employee"),
  );
  const checks = applyRules(exercise.rules, {
    ...reference,
    services,
    deploy: { state: "not-run", reason: "", blockedBy: "service" },
  });
  assert.equal(checks[0]?.passed, false);
  assert.ok(checks.slice(1).every((c) => c.notChecked === true));
});

const ON_SWARM: [string, (s: DeployedService) => DeployedService, string][] = [
  [
    "one replica unhealthy",
    (s) => ({ ...s, healthy: 1, taskError: "task: non-zero exit (1)" }),
    "swarm-replicas",
  ],
  [
    "stop-first as deployed",
    (s) => ({ ...s, updateConfig: { Order: "stop-first", FailureAction: "pause" } }),
    "swarm-update-order",
  ],
  [
    "no healthcheck anywhere",
    (s) => ({ ...s, healthcheck: { source: "none", test: [] } }),
    "swarm-healthcheck",
  ],
  [
    "the healthcheck disabled",
    (s) => ({ ...s, healthcheck: { source: "service", test: ["NONE"] } }),
    "swarm-healthcheck",
  ],
  [
    "the key in a variable",
    (s) => ({
      ...s,
      secrets: [],
      envNames: [...s.envNames, "COSMOSDB_MASTER_KEY"],
      keyInEnv: true,
    }),
    "swarm-secret",
  ],
  [
    "a secret the key file does not name",
    (s) => ({ ...s, keyFile: "/run/secrets/other" }),
    "swarm-secret",
  ],
  [
    "a published port",
    (s) => ({ ...s, published: [{ target: 8003, published: 8003, mode: "ingress" }] }),
    "swarm-ports",
  ],
];

for (const [mistake, change, id] of ON_SWARM)
  test(`on the swarm, ${mistake} fails "${id}" with a hint`, () => {
    const failures = failed(deployedEmployee(change));
    assert.deepEqual(
      failures.map((c) => c.id),
      [id],
    );
    assert.ok((failures[0]?.hint ?? "").length > 0);
  });

test("the image's healthcheck counts when the service has none of its own", () => {
  const facts = deployedEmployee((s) => ({
    ...s,
    healthcheck: { source: "image", test: ["CMD", "node", "h.js"] },
  }));
  assert.deepEqual(failed(facts), []);
});

test("a stack that did not deploy: swarm-deploy fails with the reason, the swarm rules are not checked", () => {
  for (const deploy of [
    { state: "failed", output: 'service employee: undefined secret "key"' },
    { state: "not-run", reason: "no Docker engine answers at unix:///var/run/docker.sock" },
  ] as const) {
    const checks = applyRules(exercise.rules, { ...reference, deploy });
    const [first, ...rest] = checks.slice(STATIC);
    assert.equal(first?.id, "swarm-deploy");
    assert.equal(first.passed, false);
    assert.match(first.found, deploy.state === "failed" ? /undefined secret/ : /no Docker engine/);
    assert.ok(first.hint.length > 0);
    assert.ok(rest.every((c) => c.notChecked === true && c.hint === "Fix swarm-deploy first."));
  }
});
