import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { needsDocker, root } from "../../../test/containers/docker.ts";
import { STACK_PREFIX } from "../src/facts/stack.ts";
import { docker } from "../src/lib/docker.ts";
import { swarmState } from "../src/lib/swarm.ts";
import { course, needsOfflineBases } from "./helper.ts";

// `course check 6` for real: the reference stack deploys on a single-node swarm and passes; a
// stack that updates stop-first deploys too, and fails the checks that say so. Either way the
// engine is left as found: the same swarm state, and no service, task container, network, secret
// or image of the run.

interface JsonReport {
  passed: boolean;
  checks: { id: string; passed: boolean; found: string; hint?: string; notChecked?: boolean }[];
}

/** Whatever a check 6 run may have created, by its names and labels. */
async function leftovers() {
  const ours = (name: string | undefined) => name?.replace(/^\//, "").startsWith(STACK_PREFIX);
  const containers = await docker.listContainers({ all: true });
  const images = await docker.listImages();
  const found = [
    ...containers
      .filter((c) => c.Names.some(ours) || ours(c.Labels["com.docker.stack.namespace"]))
      .map((c) => `container ${c.Names.join(",")}`),
    ...images.flatMap((i) =>
      (i.RepoTags ?? []).filter((t) => t.split(":")[1]?.startsWith(STACK_PREFIX)),
    ),
  ];
  if ((await swarmState()) !== "active") return found;
  const services = await docker.listServices();
  const networks = await docker.listNetworks();
  const secrets = await docker.listSecrets();
  return [
    ...found,
    ...services.filter((s) => ours(s.Spec?.Name)).map((s) => `service ${s.Spec?.Name ?? ""}`),
    ...networks.filter((n) => ours(n.Name)).map((n) => `network ${n.Name}`),
    ...secrets.filter((s) => ours(s.Spec?.Name)).map((s) => `secret ${s.Spec?.Name ?? ""}`),
  ];
}

async function check6(t: TestContext, file: string) {
  const before = await swarmState();
  const result = await course(["check", "6", "--file", file, "--json", "--timeout", "120"], {
    // The secret's file, wherever the stack file is.
    env: { COSMOSDB_MASTER_KEY_FILE: join(root, "infra/cosmosdb/local-master-key") },
  });
  assert.equal(await swarmState(), before, "the swarm state is as it was");
  assert.deepEqual(await leftovers(), [], "nothing of the run is left");
  const report = JSON.parse(result.stdout) as JsonReport;
  t.diagnostic(
    report.checks.map((c) => `${c.passed ? "ok" : "FAILED"} ${c.id}: ${c.found}`).join("\n"),
  );
  return { code: result.code, report };
}

test(
  "course check 6 deploys the stack for real, judges it, and leaves the engine as found",
  { timeout: 600_000 },
  async (t) => {
    if (!(await needsDocker(t)) || !needsOfflineBases(t)) return;

    await t.test("the reference answer, deploy/swarm/stack.yaml, passes", async (t) => {
      const { code, report } = await check6(t, "deploy/swarm/stack.yaml");
      assert.deepEqual(
        report.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.found}`),
        [],
      );
      assert.equal(code, 0);
      assert.ok(report.checks.some((c) => c.id === "swarm-replicas" && c.passed));
    });

    await t.test(
      "a stack that updates stop-first fails swarm-update-order, with a hint",
      async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "course-ex6-"));
        t.after(() => {
          rmSync(dir, { recursive: true, force: true });
        });
        const file = join(dir, "stack.yaml");
        const reference = readFileSync(join(root, "deploy/swarm/stack.yaml"), "utf8");
        writeFileSync(file, reference.replace("order: start-first", "order: stop-first"));
        const { code, report } = await check6(t, file);
        assert.equal(code, 1);
        const failed = report.checks.filter((c) => !c.passed);
        assert.deepEqual(
          failed.map((c) => c.id),
          ["update-order", "swarm-update-order"],
        );
        const onSwarm = failed[1];
        assert.match(onSwarm?.found ?? "", /Order: stop-first/);
        assert.ok((onSwarm?.hint ?? "").length > 0);
      },
    );
  },
);
