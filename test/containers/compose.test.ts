import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { employees } from "@course/data";
import { keyInFile } from "@course/service-kit";
import { checkDocsPage, launchChromium, listRoutes } from "../swagger-ui.ts";
import { keyFiles } from "../env-key.ts";
import { copyRepository, docker, needsDocker, run } from "./docker.ts";

// The whole stack as a trainee starts it, in a clone of the repository whose .env holds a key (the
// seed's way: compose mounts .env itself as the key's secret file), with the employee service from
// exercise 5's answer: healthy, reachable, hardened, and the key in no container's configuration.

const project = "advanced-docker-test";
const files = ["-f", "solutions/05-compose-employees/compose.yaml"];

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

test("docker compose up: the stack runs, healthy and hardened", async (t) => {
  if (!(await needsDocker(t))) return;
  const { key } = keyFiles(t);
  const clone = copyRepository(mkdtempSync(join(tmpdir(), "course-stack-")));
  writeFileSync(join(clone, ".env"), `# the account's key\nCOSMOSDB_MASTER_KEY=${key}\n`);
  const compose = (...args: string[]) =>
    run("docker", ["compose", "-p", project, ...files, ...args], { cwd: clone });
  t.after(async () => {
    await compose("down", "--volumes", "--remove-orphans", "--timeout", "5");
    rmSync(clone, { recursive: true, force: true });
  });
  await compose("up", "--detach", "--build", "--wait", "--wait-timeout", "120");

  const containers = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  const names = containers.map((c) => c.Labels["com.docker.compose.service"]).sort();
  assert.deepEqual(names, ["company", "cosmosdb", "department", "employee"]);
  for (const summary of containers) {
    assert.match(
      summary.Status,
      /\(healthy\)/,
      `${String(summary.Labels["com.docker.compose.service"])}: ${summary.Status}`,
    );
  }

  await t.test("every service's routes answer through 127.0.0.1", async () => {
    const urls = [
      "http://127.0.0.1:8001/companies",
      "http://127.0.0.1:8001/companies/northwind",
      "http://127.0.0.1:8002/companies/northwind/departments",
      "http://127.0.0.1:8002/companies/northwind/departments/northwind-it",
      "http://127.0.0.1:8003/companies/northwind/departments/northwind-it/employees",
      "http://127.0.0.1:8003/companies/northwind/departments/northwind-it/employees/e1021",
    ];
    for (const port of [8001, 8002, 8003])
      urls.push(`http://127.0.0.1:${port}/docs/json`, `http://127.0.0.1:${port}/readyz`);
    for (const url of urls) assert.equal((await fetch(url)).status, 200, url);
    const listed = await json<{ id: string }[]>(await fetch(urls[4] ?? ""));
    const expected = employees.filter((e) => e.departmentId === "northwind-it").map((e) => e.id);
    assert.deepEqual(listed.map((e) => e.id).sort(), expected.sort());
  });

  await t.test("Swagger UI in Chromium, served by the containers", async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const urls = {
      company: "http://127.0.0.1:8001",
      department: "http://127.0.0.1:8002",
      employee: "http://127.0.0.1:8003",
    };
    for (const route of listRoutes(urls)) {
      await t.test(route.name, () =>
        checkDocsPage(browser, route, `docs-${route.name}-container.png`),
      );
    }
  });

  await t.test(
    "a department created through the API is readable; an unknown company is refused",
    async () => {
      const body = JSON.stringify({ name: "Training", location: "Leeds" });
      const headers = { "content-type": "application/json" };
      const created = await fetch("http://127.0.0.1:8002/companies/northwind/departments", {
        method: "POST",
        body,
        headers,
      });
      assert.equal(created.status, 201);
      const location = created.headers.get("location") ?? "";
      const read = await fetch(`http://127.0.0.1:8002${location}`);
      assert.equal(read.status, 200);
      assert.equal((await json<{ name: string }>(read)).name, "Training");
      const refused = await fetch("http://127.0.0.1:8002/companies/nowhere/departments", {
        method: "POST",
        body,
        headers,
      });
      assert.equal(refused.status, 404);
      assert.equal(refused.headers.get("content-type"), "application/problem+json; charset=utf-8");
    },
  );

  await t.test(
    "containers run with the hardening compose asks for; the key is only in the secret's file",
    async () => {
      for (const summary of containers) {
        const service = summary.Labels["com.docker.compose.service"] ?? "";
        const info = await docker.getContainer(summary.Id).inspect();
        const host = info.HostConfig;
        assert.equal(host.ReadonlyRootfs, true, `${service} read-only`);
        assert.deepEqual(host.CapDrop, ["ALL"], `${service} drops capabilities`);
        const securityOpt = (host.SecurityOpt ?? []) as string[];
        assert.ok(securityOpt.includes("no-new-privileges:true"), `${service} no-new-privileges`);
        assert.equal(host.Init, true, `${service} init`);
        assert.ok(
          (host.Memory ?? 0) > 0 && (host.NanoCpus ?? 0) > 0 && (host.PidsLimit ?? 0) > 0,
          `${service} limits`,
        );
        assert.ok(Object.keys(host.Tmpfs ?? {}).includes("/tmp"), `${service} tmpfs /tmp`);
        assert.notEqual(info.Config.User, "", `${service} user`);
        assert.ok(!JSON.stringify(info).includes(key), `${service}: docker inspect shows no key`);
        if (service === "cosmosdb") continue;
        const read = "process.stdout.write(require('fs').readFileSync(process.argv[1], 'utf8'))";
        const secret = "/run/secrets/cosmosdb_master_key";
        const node = info.Config.Entrypoint?.[0] ?? "node";
        const inFile = await run("docker", ["exec", summary.Id, node, "-e", read, secret]);
        assert.match(inFile, /^COSMOSDB_MASTER_KEY=/m, `${service}: ${secret} is .env`);
        assert.equal(keyInFile(inFile), key, `${service}: the key .env holds`);
      }
    },
  );
});
