import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  buildArgs,
  buildStackImages,
  deployStack,
  joinSwarm,
  leaveSwarm,
  removeImages,
  removeStack,
  runningTasks,
  stackImage,
  stackService,
  waitFor,
} from "@course/cli";
import { MICROSERVICES } from "@course/stack";
import { baseImages, docker, needsDocker, run } from "./docker.ts";

// deploy/swarm/stack.yaml on a single-node swarm, for real: every replica healthy, a rolling
// update of company under load with no failed request, a killed task replaced, department scaled
// to 3 and every task serving. The swarm's services use DNS round-robin, so the clients run in a
// container on the stack's overlay network (swarm-client.mjs). The engine is left as found: the
// stack, its secret and network, the images built here and (when this test made it) the swarm go.
// The figures printed as diagnostics are the ones docs/benchmarks.md records.

const stack = "advanced-docker-swarm-test";
const tag = "swarm-test";
const rebuilt = `${tag}-rebuilt`;
const client = `${stack}-client`;
const image = (name: string, version = tag) => stackImage(name, version);
const serviceName = (name: string) => stackService(stack, name);
const nodeImage = baseImages.BUILD_IMAGE ?? "node:24-trixie-slim";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tasksOf = (name: string) => runningTasks(serviceName(name));

const replicasRunning = (name: string, replicas: number, seconds = 60) =>
  waitFor(`${String(replicas)} ${name} tasks running and healthy`, seconds, async () => {
    const tasks = await tasksOf(name);
    return tasks.length === replicas ? tasks : undefined;
  });

/** Runs swarm-client.mjs in a container on the stack's network; resolves with its JSON line. */
async function inNetwork<T>(...args: string[]): Promise<T> {
  const output = await run("docker", [
    ...["run", "--rm", "--name", client, "--network", serviceName("backend")],
    ...["-v", `${join(import.meta.dirname, "swarm-client.mjs")}:/client.mjs:ro`],
    ...[nodeImage, "node", "/client.mjs", ...args],
  ]);
  const line = output.split("\n").find((l) => l.startsWith("{"));
  assert.ok(line, `no result from the client:\n${output}`);
  return JSON.parse(line) as T;
}

async function cleanUp(joined: boolean) {
  await run("docker", ["rm", "--force", client]).catch(() => undefined);
  await removeStack(stack).catch(() => undefined);
  if (joined) await leaveSwarm();
  await removeImages(tag);
  await run("docker", ["rmi", image("company", rebuilt)]).catch(() => undefined);
}

test(
  "docker stack deploy: replicas, a rolling update under load, a task replaced, a scale-out",
  { timeout: 280_000 },
  async (t) => {
    if (!(await needsDocker(t))) return;
    let joined = false;
    t.after(() => cleanUp(joined));
    const built = await buildStackImages(tag);
    assert.ok(built.ok, built.ok ? "" : `${built.service}: ${built.output.slice(-4000)}`);
    // The same sources with another version label: a new image, as a release would be.
    await run(
      "docker",
      ["build", "-q", "-f", "services/company/Dockerfile"]
        .concat(["-t", image("company", rebuilt), "--build-arg", `VERSION=${rebuilt}`])
        .concat(buildArgs(), ["."]),
    );

    joined = await joinSwarm();
    if (!joined) t.diagnostic("the engine was already in a swarm: it stays in it");
    const deployed = await deployStack("deploy/swarm/stack.yaml", stack, { TAG: tag });
    assert.equal(deployed.code, 0, deployed.output);
    await replicasRunning("cosmosdb", 1, 90);
    for (const service of MICROSERVICES) await replicasRunning(service.name, 2, 90);

    await t.test("company rolls to a rebuilt image under load with no failed request", async () => {
      const load = inNetwork<{ ok: number; failed: number; errors: Record<string, number> }>(
        ...["load", "http://company:8001/companies/northwind", "4", "120"],
      );
      await waitFor("the load started", 30, async () => {
        const logs = await run("docker", ["logs", client]).catch(() => "");
        return logs.includes("load started") ? true : undefined;
      });
      await sleep(1000);
      const started = Date.now();
      await run("docker", [
        ...["service", "update", "--quiet", "--detach=false", "--no-resolve-image"],
        ...["--image", image("company", rebuilt), serviceName("company")],
      ]);
      // The CLI returns once the tasks converge; the update is over when the last monitor ends.
      await waitFor("the update completed", 60, async () => {
        const service = (await docker.getService(serviceName("company")).inspect()) as {
          UpdateStatus?: { State?: string };
        };
        const state = service.UpdateStatus?.State ?? "";
        assert.ok(!state.startsWith("rollback"), `the update was rolled back: ${state}`);
        return state === "completed" ? true : undefined;
      });
      const rollout = (Date.now() - started) / 1000;
      await sleep(1000);
      await run("docker", ["kill", "--signal", "TERM", client]);
      const counts = await load;
      t.diagnostic(
        `roll-out ${rollout.toFixed(1)} s; requests ${String(counts.ok + counts.failed)}, failed ${String(counts.failed)} ${JSON.stringify(counts.errors)}`,
      );
      const tasks = await replicasRunning("company", 2);
      for (const task of tasks)
        assert.equal(task.Spec.ContainerSpec.Image, image("company", rebuilt));
      assert.ok(counts.ok > 0, "requests went through during the update");
      assert.equal(counts.failed, 0, JSON.stringify(counts.errors));
    });

    await t.test("a killed task's container is replaced", async () => {
      const [victim] = await tasksOf("company");
      const id = victim?.Status.ContainerStatus?.ContainerID;
      assert.ok(id, "a running company task");
      const killed = Date.now();
      await docker.getContainer(id).kill();
      await waitFor("a healthy replacement", 60, async () => {
        const tasks = await tasksOf("company");
        const replaced =
          tasks.length === 2 &&
          tasks.every((task) => task.Status.ContainerStatus?.ContainerID !== id);
        return replaced ? true : undefined;
      });
      t.diagnostic(`task replaced, healthy, in ${((Date.now() - killed) / 1000).toFixed(1)} s`);
    });

    await t.test(
      "department scaled to 3: tasks.department gives 3 addresses, all serving",
      async () => {
        await run("docker", [
          "service",
          "scale",
          "--detach=false",
          `${serviceName("department")}=3`,
        ]);
        await replicasRunning("department", 3);
        const statuses = await waitFor("3 department tasks in DNS", 20, async () => {
          const found = await inNetwork<Record<string, string>>(
            "tasks",
            "department",
            "8002",
            "/readyz",
          );
          return Object.keys(found).length === 3 ? found : undefined;
        });
        assert.deepEqual(Object.values(statuses), ["200", "200", "200"]);
      },
    );
  },
);
