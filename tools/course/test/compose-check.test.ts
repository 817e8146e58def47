import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { copyRepository, docker, needsDocker } from "../../../test/containers/docker.ts";
import { PROJECT_PREFIX } from "../src/facts/compose.ts";
import { composeLeftovers, course, needsOfflineBases } from "./helper.ts";

// `course check 5` for real, on a trainee's answer: the repository as a trainee has it after step
// 12 (an employee service copied from department and adapted, the workspace in the lockfile),
// with compose files that make the mistakes trainees make. Each must fail with the check that
// names the mistake and a hint about its cause; the right answer must pass; nothing is left.

const fixtures = join(import.meta.dirname, "fixtures/ex5");

interface JsonReport {
  passed: boolean;
  checks: {
    id: string;
    title: string;
    passed: boolean;
    found: string;
    hint?: string;
    notChecked?: boolean;
  }[];
}

/** The repository's tracked files, plus the trainee's employee service, in a folder of its own. */
function traineeCheckout(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), "course-ex5-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  copyRepository(dir);
  cpSync(join(fixtures, "employee"), join(dir, "services/employee"), { recursive: true });
  // What `npm install` at the root writes into the lockfile for the new workspace (step 6).
  const lockfile = join(dir, "package-lock.json");
  const lock = JSON.parse(readFileSync(lockfile, "utf8")) as { packages: Record<string, unknown> };
  const manifest = JSON.parse(readFileSync(join(fixtures, "employee/package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
  };
  lock.packages[`node_modules/${manifest.name}`] = { resolved: "services/employee", link: true };
  lock.packages["services/employee"] = {
    name: manifest.name,
    version: manifest.version,
    dependencies: manifest.dependencies,
  };
  writeFileSync(lockfile, `${JSON.stringify(lock, null, 2)}\n`);
  return dir;
}

async function check5(checkout: string, variant: string) {
  const file = join(checkout, "exercises/05-compose-employees/compose.yaml");
  cpSync(join(fixtures, variant), file);
  const result = await course(["check", "5", "--file", file, "--json"]);
  assert.deepEqual(await composeLeftovers(PROJECT_PREFIX), [], "nothing of the stack is left");
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as JsonReport;
  const failed = report.checks.filter((c) => !c.passed && !c.notChecked).map((c) => c.id);
  const hint = (id: string) => report.checks.find((c) => c.id === id)?.hint ?? "";
  for (const c of report.checks) {
    assert.ok(c.title, `${c.id} has a title`);
    assert.equal(c.hint === undefined, c.passed, `${c.id}: a hint exactly when it failed`);
  }
  return { code: result.code, report, failed, hint };
}

test("exercise 5 on a trainee's answer: the right one passes, each mistake fails its check", async (t) => {
  if (!(await needsDocker(t))) return;
  const checkout = traineeCheckout(t);

  await t.test("the trainee's answer passes every check", async () => {
    const { code, report, failed } = await check5(checkout, "pass.yaml");
    assert.deepEqual(failed, []);
    assert.equal(code, 0);
    assert.equal(report.passed, true);
    const ids = report.checks.map((c) => c.id);
    for (const id of [
      "employee-hardening",
      "employee-create",
      "employee-missing-department",
      "key-secret",
    ])
      assert.ok(ids.includes(id), `${id} is checked`);
    // The images compose.yaml names are the trainee's own: the check leaves them.
    for (const name of ["advanced-docker/company:1.0.0", "advanced-docker/department:1.0.0"])
      await docker.getImage(name).inspect();
  });

  await t.test(
    "DEPARTMENT_SERVICE_URL on 127.0.0.1: creates fail, the hint names the variable",
    async () => {
      const { code, failed, hint } = await check5(checkout, "wrong-parent-url.yaml");
      assert.equal(code, 1);
      assert.deepEqual(failed, [
        "department-url",
        "employee-create",
        "employee-missing-department",
      ]);
      assert.match(
        hint("employee-create"),
        /DEPARTMENT_SERVICE_URL \(http:\/\/127\.0\.0\.1:8002\)/,
      );
      assert.match(hint("employee-create"), /127\.0\.0\.1 is the container itself/);
    },
  );

  await t.test(
    "no hardening, limits or healthcheck, short depends_on, port on every address",
    async () => {
      const { code, failed, hint } = await check5(checkout, "static-mistakes.yaml");
      assert.equal(code, 1);
      assert.deepEqual(failed, [
        "employee-port",
        "depends-on-department",
        "employee-hardening",
        "employee-limits",
        "employee-healthcheck",
      ]);
      assert.match(hint("employee-port"), /open to the whole network/);
      assert.match(hint("depends-on-department"), /short form/);
    },
  );

  await t.test(
    "code that forgets If-Match, asks its parent by hand, partitions by department",
    async () => {
      // Three mistakes in the service's code, each as a trainee makes it (and uses consistently).
      const edits: [string, string, string][] = [
        [
          "src/routes.ts",
          'const ifMatch = request.headers["if-match"];',
          "const ifMatch = undefined;",
        ],
        [
          "src/routes.ts",
          'departmentId, employeeId, request.headers["if-match"]',
          "departmentId, employeeId",
        ],
        ["src/routes.ts", "await departmentService.assertExists(", "await askByHand("],
        [
          "src/routes.ts",
          'const tags = ["employees"];',
          [
            'const tags = ["employees"];',
            "// The parent asked by hand, as a trainee might: fetch, and 404 when it says so.",
            "const askByHand = async (path: string, what: string) => {",
            '  const answer = await fetch(`${process.env.DEPARTMENT_SERVICE_URL ?? ""}/${path}`);',
            "  if (answer.status === 404) throw notFound(`${what} does not exist.`);",
            "};",
          ].join("\n"),
        ],
        ["src/repository.ts", 'partitionKey: "/companyId"', 'partitionKey: "/departmentId"'],
        [
          "src/repository.ts",
          "items.read(employeeId, companyId)",
          "items.read(employeeId, departmentId)",
        ],
        ["src/repository.ts", "        companyId,\n      );", "        departmentId,\n      );"],
        [
          "src/repository.ts",
          "items.replace(employee, companyId, ifMatch)",
          "items.replace(employee, departmentId, ifMatch)",
        ],
        [
          "src/repository.ts",
          "items.remove(employeeId, companyId, ifMatch)",
          "items.remove(employeeId, departmentId, ifMatch)",
        ],
      ];
      const service = join(checkout, "services/employee");
      const originals = new Map<string, string>();
      for (const [file, from, to] of edits) {
        const path = join(service, file);
        const text = readFileSync(path, "utf8");
        if (!originals.has(path)) originals.set(path, text);
        assert.ok(text.includes(from), `${file} has ${from}`);
        writeFileSync(path, text.replaceAll(from, to));
      }
      try {
        const { code, failed, hint } = await check5(checkout, "pass.yaml");
        assert.equal(code, 1);
        assert.deepEqual(failed, [
          "employee-replace",
          "employee-partition",
          "employee-parent-down",
        ]);
        assert.match(hint("employee-replace"), /if-match/);
        assert.match(hint("employee-parent-down"), /createParentService/);
      } finally {
        for (const [path, text] of originals) writeFileSync(path, text);
      }
    },
  );

  await t.test("built from the department's Dockerfile: employee-build says so", async () => {
    const { code, failed, hint } = await check5(checkout, "department-dockerfile.yaml");
    assert.equal(code, 1);
    assert.deepEqual(failed, ["employee-build"]);
    assert.match(hint("employee-build"), /the department service's Dockerfile/);
  });

  await t.test("Ctrl-C while the stack starts: compose takes it down, exit 130", async () => {
    const file = join(checkout, "exercises/05-compose-employees/compose.yaml");
    cpSync(join(fixtures, "pass.yaml"), file);
    let interrupt: ((signal: NodeJS.Signals) => void) | undefined;
    const running = course(["check", "5", "--file", file], {
      onSpawn: (kill) => (interrupt = kill),
    });
    const deadline = Date.now() + 120_000;
    while ((await composeLeftovers(PROJECT_PREFIX)).every((l) => !l.startsWith("container"))) {
      assert.ok(Date.now() < deadline, "the stack started");
      await sleep(200);
    }
    interrupt?.("SIGINT");
    const result = await running;
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.deepEqual(await composeLeftovers(PROJECT_PREFIX), []);
  });

  await t.test("no build args: the employee build asks Docker Hub", async (t) => {
    if (needsOfflineBases(t) === undefined) return;
    const { code, failed, hint } = await check5(checkout, "no-build-args.yaml");
    assert.equal(code, 1);
    assert.ok(failed.includes("build-args"), failed.join(", "));
    assert.match(hint("build-args"), /compose hands them to a build only when its args list them/);
  });
});
