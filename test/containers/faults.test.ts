import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { CosmosClient } from "@azure/cosmos";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { employees } from "@course/data";
import { docker, fetchWithin, needsDocker, run } from "./docker.ts";

// What rooms and production do to the stack, each bounded in requests and time: the database
// killed under load, a parent service stopped, concurrent conditional writers, replicas racing on
// an empty database, and a service stopped under load.

const project = "advanced-docker-faults";
const compose = (...args: string[]) =>
  run("docker", [
    "compose",
    "-p",
    project,
    "-f",
    "solutions/05-compose-employees/compose.yaml",
    ...args,
  ]);
const container = async (service: string) => {
  const [found] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  assert.ok(found, `${service} container`);
  return docker.getContainer(found.Id);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  status: number;
  at: number;
  ms: number;
  type: string;
  error?: string;
}

/** `workers` loops fetching `url` until `until` resolves; every request is bounded by a deadline. */
async function load(url: string, workers: number, until: Promise<unknown>, init: RequestInit = {}) {
  const outcomes: Outcome[] = [];
  let done = false;
  void until.finally(() => (done = true));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = 0; i < 2000 && !done; i++) {
        const started = Date.now();
        try {
          const { response } = await fetchWithin(url, 10_000, init);
          const type = response.headers.get("content-type") ?? "";
          outcomes.push({ status: response.status, at: started, ms: Date.now() - started, type });
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
          outcomes.push({
            status: 0,
            at: started,
            ms: Date.now() - started,
            type: "",
            error: cause,
          });
        }
        await sleep(20);
      }
    }),
  );
  return outcomes;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
  return timeoutMs - (deadline - Date.now());
}

const ok = (url: string) => async () => (await fetchWithin(url, 2000)).response.status === 200;

test("fault tests against the running stack", async (t) => {
  if (!(await needsDocker(t))) return;
  t.after(() => compose("down", "--volumes", "--remove-orphans", "--timeout", "5"));
  await compose("up", "--detach", "--build", "--wait", "--wait-timeout", "120");

  await t.test("database killed under load: fast 503s, then back by itself", async (t) => {
    const services = await Promise.all(["company", "department", "employee"].map(container));
    const startedAt = await Promise.all(
      services.map(async (c) => (await c.inspect()).State.StartedAt),
    );
    const cosmos = await container("cosmosdb");

    const outage = (async () => {
      await sleep(1000);
      // No automatic restart while we look at the outage; compose's policy comes back after.
      await cosmos.update({ RestartPolicy: { Name: "no" } });
      await cosmos.kill();
      await sleep(3000);
      const readyz = await fetch("http://127.0.0.1:8001/readyz");
      assert.equal(readyz.status, 503, "readyz reports the outage");
      assert.match(await readyz.text(), /Not ready/);
      await cosmos.start();
      await cosmos.update({ RestartPolicy: { Name: "unless-stopped" } });
      const recovered = await until(
        ok("http://127.0.0.1:8003/companies/northwind/departments/northwind-it/employees/e1021"),
        15_000,
        "recovery",
      );
      t.diagnostic(`served 200 again ${recovered} ms after the database restarted`);
    })();
    const outcomes = await load(
      "http://127.0.0.1:8002/companies/northwind/departments/northwind-it",
      4,
      outage,
    );
    await outage;

    const statuses = new Set(outcomes.map((o) => o.status));
    t.diagnostic(
      `${outcomes.length} requests; statuses ${[...statuses].join(", ")}; slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`,
    );
    assert.deepEqual(
      outcomes.filter((o) => o.error),
      [],
      "no connection was reset or refused",
    );
    assert.ok(statuses.has(503), "some requests met the outage");
    assert.ok(
      outcomes.every(
        (o) =>
          o.status === 200 || (o.status === 503 && o.type.startsWith("application/problem+json")),
      ),
    );
    assert.ok(
      outcomes.every((o) => o.ms < 3000),
      "no request waited 3 s",
    );
    for (const url of [
      "http://127.0.0.1:8001/companies/contoso",
      "http://127.0.0.1:8002/companies/contoso/departments/contoso-research",
    ]) {
      await until(ok(url), 15_000, url);
    }
    const after = await Promise.all(services.map(async (c) => (await c.inspect()).State.StartedAt));
    assert.deepEqual(after, startedAt, "no service was restarted");
  });

  await t.test(
    "company service stopped: creating a department is 503, reading works, then creating works",
    async () => {
      const company = await container("company");
      await company.stop({ t: 5 });
      const body = JSON.stringify({ name: "Audit", location: "York" });
      const post = () =>
        fetch("http://127.0.0.1:8002/companies/northwind/departments", {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
      const refused = await post();
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("content-type"), "application/problem+json; charset=utf-8");
      assert.equal(
        (await fetch("http://127.0.0.1:8002/companies/northwind/departments")).status,
        200,
      );
      await company.start();
      await until(ok("http://127.0.0.1:8001/readyz"), 20_000, "company ready again");
      assert.equal((await post()).status, 201);
    },
  );

  await t.test("concurrent conditional writers lose nothing", async () => {
    const url = "http://127.0.0.1:8003/companies/fabrikam/departments/fabrikam-people/employees";
    const headers = { "content-type": "application/json" };
    const person = (role: string) => ({
      firstName: "Sam",
      lastName: "Lee",
      email: "sam.lee@fabrikam.example",
      role,
      startDate: "2024-01-02",
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify(person("new")),
      });
      assert.equal(created.status, 201);
      ids.push(((await created.json()) as { id: string }).id);
    }
    const acknowledged = new Map<string, { etag: string; role: string }[]>(
      ids.map((id) => [id, []]),
    );
    const refusedRoles: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, writer) => {
        for (let n = 0; n < 15; n++) {
          const id = ids[(writer + n) % ids.length] ?? "";
          const current = await fetch(`${url}/${id}`);
          const etag = current.headers.get("etag") ?? "";
          await current.arrayBuffer();
          const role = `writer-${writer}-${n}`;
          const put = await fetch(`${url}/${id}`, {
            method: "PUT",
            headers: { ...headers, "if-match": etag },
            body: JSON.stringify(person(role)),
          });
          await put.arrayBuffer();
          if (put.status === 200)
            acknowledged.get(id)?.push({ etag: put.headers.get("etag") ?? "", role });
          else if (put.status === 412) refusedRoles.push(role);
          else assert.fail(`PUT answered ${put.status}`);
        }
      }),
    );
    assert.ok(refusedRoles.length > 0, "the writers did collide");
    for (const id of ids) {
      const final = await fetch(`${url}/${id}`);
      const { role } = (await final.json()) as { role: string };
      const acks = acknowledged.get(id) ?? [];
      const last = acks.find((ack) => ack.etag === final.headers.get("etag"));
      assert.ok(last, `${id}: its ETag is one a writer was told`);
      assert.equal(role, last.role, `${id}: holds the content of that acknowledged write`);
      assert.ok(!refusedRoles.includes(role), `${id}: no refused write landed`);
    }
  });

  await t.test("three replicas on an empty database: all healthy, seed data once", async (t) => {
    const employee = await (await container("employee")).inspect();
    const network = Object.keys(employee.NetworkSettings.Networks)[0] ?? "";
    const database = `replicas-${randomUUID().slice(0, 8)}`;
    const env = employee.Config.Env.filter((line) => !line.startsWith("COSMOSDB_DATABASE=")).concat(
      `COSMOSDB_DATABASE=${database}`,
    );
    const replicas = await Promise.all(
      [1, 2, 3].map(() =>
        docker.createContainer({
          Image: employee.Config.Image,
          Env: env,
          Labels: { "course.test": project },
          HostConfig: {
            NetworkMode: network,
            Binds: employee.HostConfig.Binds ?? [],
            Mounts: employee.HostConfig.Mounts ?? [],
          },
        }),
      ),
    );
    t.after(() => Promise.all(replicas.map((replica) => replica.remove({ force: true }))));
    await Promise.all(replicas.map((replica) => replica.start()));
    for (const replica of replicas) {
      await until(
        async () => (await replica.inspect()).State.Health?.Status === "healthy",
        30_000,
        "replica healthy",
      );
    }
    const client = new CosmosClient({
      endpoint: "http://127.0.0.1:8081",
      key: LOCAL_COSMOS_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { resources } = await client
      .database(database)
      .container("employees")
      .items.query<string>("SELECT VALUE c.id FROM c")
      .fetchAll();
    client.dispose();
    assert.equal(resources.length, employees.length);
    assert.equal(new Set(resources).size, employees.length);
  });

  await t.test("docker stop under load: in-flight requests complete, exit code 0", async () => {
    const department = await container("department");
    let stopAt = Infinity;
    const stopped = (async () => {
      await sleep(1000);
      stopAt = Date.now();
      await department.stop({ t: 10 });
    })();
    // One connection per request, so that "in flight" is plain: a request sent before the stop
    // must get its answer. Later ones meet a closed port (docker's proxy resets them).
    const outcomes = await load("http://127.0.0.1:8002/companies/contoso/departments", 4, stopped, {
      headers: { connection: "close" },
    });
    await stopped;
    const state = (await department.inspect()).State;
    assert.equal(state.ExitCode, 0);
    const inFlight = outcomes.filter((o) => o.at < stopAt);
    assert.ok(inFlight.length > 0);
    const broken = inFlight.filter((o) => o.status !== 200);
    assert.deepEqual(broken, [], "no in-flight request was cut");
  });
});
