import assert from "node:assert/strict";
import { test } from "node:test";
import { findExercise } from "../src/catalogue.ts";
import {
  type Answer,
  type ComposeFacts,
  type ComposeService,
  MISSING_DEPARTMENT,
  seedCases,
} from "../src/facts/compose-types.ts";
import { applyRules } from "../src/lib/contract.ts";
import { repoRoot } from "../src/lib/paths.ts";

// The rules of exercise 5 on facts shaped as `docker compose config`, the Engine API and the
// employee routes give them: the reference answer passes, and each mistake a trainee makes fails
// the check that names it, with a hint about its cause. The same mistakes run for real in
// compose-check.test.ts.

const BASES = {
  BUILD_IMAGE: "mirror/node:24-trixie-slim",
  DISTROLESS_IMAGE: "mirror/distroless",
  ALPINE_IMAGE: "mirror/alpine",
};
const KEY_FILE = "/run/secrets/cosmosdb_master_key";

const employeeEntry = (): ComposeService => ({
  build: {
    context: repoRoot,
    dockerfile: "solutions/05-compose-employees/services/employee/Dockerfile",
    args: { ...BASES },
  },
  image: "advanced-docker/employee:1.0.0",
  ports: [{ host_ip: "127.0.0.1", published: "8003", target: 8003 }],
  depends_on: {
    cosmosdb: { condition: "service_healthy" },
    department: { condition: "service_healthy" },
  },
  healthcheck: { interval: "10s", timeout: "3s", retries: 3, start_period: "20s" },
  environment: {
    COSMOSDB_ENDPOINT_URL: "http://cosmosdb:8081",
    COSMOSDB_MASTER_KEY: "",
    COSMOSDB_MASTER_KEY_FILE: KEY_FILE,
    DEPARTMENT_SERVICE_URL: "http://department:8002",
  },
  secrets: [{ source: "cosmosdb_master_key", target: KEY_FILE }],
  read_only: true,
  tmpfs: ["/tmp"],
  cap_drop: ["ALL"],
  security_opt: ["no-new-privileges:true"],
  init: true,
  mem_limit: "268435456",
  cpus: 1,
  pids_limit: 100,
});

const answer = (
  method: string,
  path: string,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): Answer => ({
  method,
  path,
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  ...(body === undefined ? {} : { body }),
});

function referenceFacts(): ComposeFacts {
  const cases = seedCases();
  const [first] = cases;
  assert.ok(first);
  const collection = (c: { companyId: string; departmentId: string }) =>
    `/companies/${c.companyId}/departments/${c.departmentId}/employees`;
  const created = `${collection(first)}/new-1`;
  return {
    file: "exercises/05-compose-employees/compose.yaml",
    config: {
      ok: true,
      services: { cosmosdb: {}, company: {}, department: {}, employee: employeeEntry() },
    },
    baseImages: { ...BASES },
    up: { state: "up", output: "" },
    employee: {
      status: "running",
      health: "healthy",
      env: ["COSMOSDB_MASTER_KEY=", `COSMOSDB_MASTER_KEY_FILE=${KEY_FILE}`],
      readOnly: true,
      tmpfs: ["/tmp"],
      capDrop: ["ALL"],
      securityOpt: ["no-new-privileges:true"],
      init: true,
      memory: 268435456,
      nanoCpus: 1e9,
      pidsLimit: 100,
      published: ["127.0.0.1:8003"],
      mounts: [KEY_FILE],
      logTail: [],
      healthcheck: ["CMD", "/nodejs/bin/node", "healthcheck.cjs", "8003"],
    },
    dockerfile: {
      shown: "services/employee/Dockerfile",
      exists: true,
      own: "services/employee",
      builds: ["services/employee"],
    },
    partition: { database: "course", paths: ["/companyId"] },
    parentDown: {
      answer: answer(
        "POST",
        "/companies/x/departments/y/employees",
        503,
        { status: 503 },
        { "content-type": "application/problem+json; charset=utf-8" },
      ),
      seconds: 0.4,
    },
    http: {
      origin: "http://127.0.0.1:8003",
      lists: cases.map((c) => ({
        expected: c.ids,
        answer: answer(
          "GET",
          collection(c),
          200,
          c.ids.map((id) => ({ id })),
        ),
      })),
      item: {
        expectedId: first.ids[0] ?? "",
        answer: answer("GET", `${collection(first)}/${first.ids[0] ?? ""}`, 200, {
          id: first.ids[0],
        }),
      },
      create: {
        answer: answer(
          "POST",
          collection(first),
          201,
          { id: "new-1" },
          { location: created, etag: '"1"' },
        ),
        readBack: answer("GET", created, 200, { id: "new-1" }),
        removed: answer("DELETE", created, 204),
        listAfter: answer(
          "GET",
          collection(first),
          200,
          first.ids.map((id) => ({ id })),
        ),
      },
      replace: {
        stale: answer("PUT", created, 412, { status: 412 }),
        fresh: answer("PUT", created, 200, { id: "new-1" }, { etag: '"2"' }),
        staleDelete: answer("DELETE", created, 412, { status: 412 }),
      },
      missingParent: answer(
        "POST",
        collection({ companyId: first.companyId, departmentId: MISSING_DEPARTMENT }),
        404,
        { status: 404, detail: "Department does not exist." },
        { "content-type": "application/problem+json; charset=utf-8" },
      ),
      docs: answer("GET", "/docs", 200),
    },
  };
}

function judge(facts: ComposeFacts) {
  const exercise = findExercise(5);
  assert.ok(exercise?.kind === "compose");
  const checks = applyRules(exercise.rules, facts);
  const failed = checks.filter((c) => !c.passed && !c.notChecked).map((c) => c.id);
  const get = (id: string) => {
    const found = checks.find((c) => c.id === id);
    assert.ok(found, `no check ${id}`);
    return found;
  };
  for (const check of checks.filter((c) => !c.passed && !c.notChecked)) {
    assert.ok(check.hint.length > 20, `${check.id} has a hint`);
    assert.ok(check.found && check.expected, `${check.id} says what it found and expected`);
  }
  return { checks, failed, get };
}

const employee = (facts: ComposeFacts) => {
  const service = facts.config.services.employee;
  assert.ok(service);
  return service;
};

test("the reference answer passes every check of exercise 5", () => {
  const result = judge(referenceFacts());
  assert.deepEqual(result.failed, []);
  assert.deepEqual(
    result.checks.filter((c) => !c.passed || c.hint !== "").map((c) => c.id),
    [],
  );
  assert.ok(result.checks.length >= 17);
});

test("DEPARTMENT_SERVICE_URL on 127.0.0.1: the URL check and the create check name the cause", () => {
  const facts = referenceFacts();
  const env = employee(facts).environment ?? {};
  env.DEPARTMENT_SERVICE_URL = "http://127.0.0.1:8002";
  assert.ok(facts.http);
  facts.http.create = {
    answer: answer("POST", facts.http.create.answer.path, 503, {
      status: 503,
      detail: "The department service is not reachable.",
    }),
  };
  facts.http.missingParent = { ...facts.http.missingParent, status: 503 };
  const result = judge(facts);
  assert.deepEqual(result.failed, [
    "department-url",
    "employee-create",
    "employee-missing-department",
  ]);
  assert.match(result.get("department-url").hint, /127\.0\.0\.1 is that container itself/);
  assert.match(
    result.get("employee-create").hint,
    /DEPARTMENT_SERVICE_URL \(http:\/\/127\.0\.0\.1:8002\)/,
  );
  assert.match(result.get("employee-create").hint, /http:\/\/department:8002/);
});

test("no hardening and no limits: each missing option is named", () => {
  const facts = referenceFacts();
  const hardening = ["read_only", "tmpfs", "cap_drop", "security_opt", "init"];
  const limits = ["mem_limit", "cpus", "pids_limit"];
  facts.config.services.employee = Object.fromEntries(
    Object.entries(employee(facts)).filter(([key]) => ![...hardening, ...limits].includes(key)),
  );
  assert.ok(facts.employee);
  Object.assign(facts.employee, {
    readOnly: false,
    tmpfs: [],
    capDrop: [],
    securityOpt: [],
    init: false,
    memory: 0,
    nanoCpus: 0,
    pidsLimit: 0,
  });
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-hardening", "employee-limits"]);
  assert.match(
    result.get("employee-hardening").found,
    /read_only: true, tmpfs: \[\/tmp\], cap_drop: \[ALL\], security_opt: \[no-new-privileges:true\], init: true/,
  );
  assert.match(
    result.get("employee-limits").found,
    /no limit on memory \(mem_limit\), CPU \(cpus\), processes \(pids_limit\) \(the running container\)/,
  );
});

test("the running container is what counts: hardening in the file but not applied fails", () => {
  const facts = referenceFacts();
  assert.ok(facts.employee);
  facts.employee.readOnly = false;
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-hardening"]);
  assert.match(
    result.get("employee-hardening").found,
    /missing in the running container: read_only: true/,
  );
});

test("no healthcheck in the compose entry fails employee-healthcheck", () => {
  const facts = referenceFacts();
  delete employee(facts).healthcheck;
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-healthcheck"]);
  assert.match(result.get("employee-healthcheck").found, /no healthcheck in the employee entry/);
});

test("short-form depends_on waits for started, not healthy", () => {
  const facts = referenceFacts();
  employee(facts).depends_on = { department: { condition: "service_started" } };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["depends-on-department"]);
  assert.match(result.get("depends-on-department").hint, /short form/);
});

test("port published on every address fails employee-port", () => {
  const facts = referenceFacts();
  employee(facts).ports = [{ published: "8003", target: 8003 }];
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-port"]);
  assert.match(result.get("employee-port").found, /0\.0\.0\.0:8003->8003/);
  assert.match(result.get("employee-port").hint, /open to the whole network/);
});

test("build args missing: the employee build would ask Docker Hub", () => {
  const facts = referenceFacts();
  const build = employee(facts).build;
  assert.ok(build);
  delete build.args;
  const result = judge(facts);
  assert.deepEqual(result.failed, ["build-args"]);
  assert.match(
    result.get("build-args").found,
    /without BUILD_IMAGE, DISTROLESS_IMAGE, ALPINE_IMAGE/,
  );
});

test("the key written in environment: is visible to docker inspect", () => {
  const facts = referenceFacts();
  assert.ok(facts.employee);
  facts.employee.env = ["COSMOSDB_MASTER_KEY=C2y6yDjf5"];
  delete employee(facts).secrets;
  const result = judge(facts);
  assert.deepEqual(result.failed, ["key-secret"]);
  assert.match(result.get("key-secret").found, /no secret cosmosdb_master_key.*docker inspect/);
});

test("a key in the employee's environment fails even beside the secret: the course passes none", () => {
  const facts = referenceFacts();
  assert.ok(facts.employee);
  facts.employee.env = ["COSMOSDB_MASTER_KEY=azure-key"];
  const result = judge(facts);
  assert.deepEqual(result.failed, ["key-secret"]);
  assert.match(result.get("key-secret").found, /^secret cosmosdb_master_key.*docker inspect/);
});

test("the service listens on the template's port: the route checks say so, not seed data", () => {
  const facts = referenceFacts();
  assert.ok(facts.http && facts.employee);
  const refused = (a: Answer): Answer => ({
    method: a.method,
    path: a.path,
    headers: {},
    error: "ECONNRESET",
  });
  for (const list of facts.http.lists) list.answer = refused(list.answer);
  facts.http.item.answer = refused(facts.http.item.answer);
  facts.http.create = { answer: refused(facts.http.create.answer) };
  facts.http.missingParent = refused(facts.http.missingParent);
  facts.http.docs = refused(facts.http.docs);
  facts.employee.logTail = ['{"level":30,"msg":"Server listening at http://0.0.0.0:8002"}'];
  const result = judge(facts);
  assert.deepEqual(result.failed, [
    "employees-route",
    "employee-item",
    "employee-create",
    "employee-missing-department",
    "docs-answers",
  ]);
  for (const id of result.failed)
    assert.match(result.get(id).hint, /listens on port 8002 inside its container/);
});

test("a list filtered by company only shows employees of other departments", () => {
  const facts = referenceFacts();
  assert.ok(facts.http);
  const [list] = facts.http.lists;
  assert.ok(list);
  list.answer.body = [...list.expected, "e-of-another-department"].map((id) => ({ id }));
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employees-route"]);
  assert.match(
    result.get("employees-route").found,
    /not of this department: e-of-another-department/,
  );
});

test("a create without asking the department service: 201 in a missing department", () => {
  const facts = referenceFacts();
  assert.ok(facts.http);
  facts.http.missingParent = { ...facts.http.missingParent, status: 201, headers: {} };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-missing-department"]);
  assert.match(
    result.get("employee-missing-department").hint,
    /without asking whether its department exists/,
  );
});

test("a create without Location or ETag fails employee-create", () => {
  const facts = referenceFacts();
  assert.ok(facts.http);
  facts.http.create.answer.headers = {};
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-create"]);
  assert.match(
    result.get("employee-create").found,
    /without a Location header; 201 without an ETag header/,
  );
});

for (const [output, cause] of [
  [
    '✘ [ERROR] Could not resolve "src/server.ts"\nfailed to solve: process "/bin/sh -c npm run build --workspace services/employee" did not complete successfully: exit code: 1',
    /sources COPY and `npm run build --workspace …` in your Dockerfile name different folders/,
  ],
  [
    "npm error No workspaces found:\nnpm error   --workspace=services/employe",
    /names a folder that is not a workspace/,
  ],
  [
    "npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync.\nnpm error Missing: @course/employee@1.0.0 from lock file",
    /Did you run `npm install` at the repository root/,
  ],
  [
    'failed to compute cache key: failed to calculate checksum of ref x::y: "/src/services/department/dist": not found',
    /Do both `COPY --from=build` lines name your service's folder/,
  ],
  [
    "failed to solve: node:24-trixie-slim: failed to resolve source metadata for docker.io/library/node:24-trixie-slim",
    /list the base images in the build's args/,
  ],
] as const) {
  test(`the stack did not build: the hint names the cause (${output.split("\n")[0]?.slice(0, 40) ?? ""}…)`, () => {
    const facts = referenceFacts();
    delete facts.http;
    delete facts.employee;
    facts.up = { state: "failed", output };
    const result = judge(facts);
    assert.deepEqual(result.failed, ["employee-healthy"]);
    assert.match(result.get("employee-healthy").hint, cause);
  });
}

test("the employee container stops at start: the hint follows its log", () => {
  for (const [line, cause] of [
    [
      'Configuration error: COSMOSDB_MASTER_KEY_FILE must name a readable file holding the key (ENOENT) (got "/run/secrets/cosmosdb_master_key")',
      /secrets: \[cosmosdb_master_key\]/,
    ],
    [
      "Configuration error: COMPANY_SERVICE_URL is required: an http:// or https:// URL, e.g. http://localhost:8081",
      /the employee's parent is the department service/,
    ],
  ] as const) {
    const facts = referenceFacts();
    delete facts.http;
    assert.ok(facts.employee);
    facts.employee.health = "unhealthy";
    facts.employee.logTail = [line];
    facts.up = { state: "failed", output: "container course-check-5-x-employee-1 is unhealthy" };
    const result = judge(facts);
    assert.deepEqual(result.failed, ["employee-healthy"]);
    assert.match(result.get("employee-healthy").hint, cause);
  }
});

test("the trainee's own stack still runs: the hint names the command that stops it", () => {
  const facts = referenceFacts();
  delete facts.http;
  delete facts.employee;
  facts.up = {
    state: "not-run",
    reason: "ports in use on 127.0.0.1: 8001 (container trainee5-company-1)",
    freeWith: ["docker compose -p trainee5 down"],
  };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-healthy"]);
  assert.match(result.get("employee-healthy").hint, /Stop it: `docker compose -p trainee5 down`/);
});

test("PUT and DELETE that ignore If-Match: employee-replace, and no cascade into create", () => {
  const facts = referenceFacts();
  assert.ok(facts.http?.replace);
  const path = facts.http.replace.stale.path;
  facts.http.replace = {
    stale: answer("PUT", path, 200, { id: "new-1" }, { etag: '"2"' }),
    fresh: answer("PUT", path, 200, { id: "new-1" }, { etag: '"3"' }),
    staleDelete: answer("DELETE", path, 204),
  };
  facts.http.create.removed = answer("DELETE", path, 404, { status: 404 });
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-replace"]);
  assert.match(result.get("employee-replace").found, /PUT with a stale If-Match: PUT \S+: 200/);
  assert.match(result.get("employee-replace").hint, /if-match/);
});

test("no PUT route: the hint says the item route answers PUT", () => {
  const facts = referenceFacts();
  assert.ok(facts.http?.replace);
  const path = facts.http.replace.stale.path;
  const missing = (method: string) => answer(method, path, 404, { status: 404 });
  facts.http.replace = { ...facts.http.replace, stale: missing("PUT"), fresh: missing("PUT") };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-replace"]);
  assert.match(result.get("employee-replace").hint, /There is no PUT route/);
});

test("the department service down: a 500 instead of 503 fails employee-parent-down", () => {
  const facts = referenceFacts();
  assert.ok(facts.parentDown);
  facts.parentDown.answer = answer("POST", facts.parentDown.answer.path, 500, { status: 500 });
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-parent-down"]);
  assert.match(result.get("employee-parent-down").hint, /createParentService/);
});

test("employees partitioned by department fail employee-partition", () => {
  const facts = referenceFacts();
  facts.partition = { database: "course", paths: ["/departmentId"] };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-partition"]);
  assert.match(result.get("employee-partition").found, /partitioned by \/departmentId/);
});

test("the department's Dockerfile, or one still building its folder, fails employee-build", () => {
  const facts = referenceFacts();
  facts.dockerfile = {
    shown: "services/department/Dockerfile",
    exists: true,
    own: "services/department",
    builds: ["services/department"],
    ofService: "department",
  };
  let result = judge(facts);
  assert.deepEqual(result.failed, ["employee-build"]);
  assert.match(result.get("employee-build").hint, /the department service's Dockerfile/);
  facts.dockerfile = {
    shown: "services/employee/Dockerfile",
    exists: true,
    own: "services/employee",
    builds: ["services/department", "services/employee"],
  };
  result = judge(facts);
  assert.deepEqual(result.failed, ["employee-build"]);
  assert.match(result.get("employee-build").hint, /still copies or builds services\/department/);
});

test("a port mapped to the template's container port: the hint names the container port", () => {
  const facts = referenceFacts();
  employee(facts).ports = [{ host_ip: "127.0.0.1", published: "8003", target: 8002 }];
  const result = judge(facts);
  assert.ok(result.failed.includes("employee-port"));
  assert.match(
    result.get("employee-port").hint,
    /last number of a port mapping is the port in the container/,
  );
});

test("DEPARTMENT_SERVICE_URL naming the company service: the hint says whose URL it is", () => {
  const facts = referenceFacts();
  const env = employee(facts).environment ?? {};
  env.DEPARTMENT_SERVICE_URL = "http://company:8001";
  const result = judge(facts);
  assert.ok(result.failed.includes("department-url"));
  assert.match(result.get("department-url").hint, /names the company service/);
});

test("the HEALTHCHECK still asks the template's port: the hint says so", () => {
  const facts = referenceFacts();
  delete facts.http;
  assert.ok(facts.employee);
  facts.employee.health = "unhealthy";
  facts.employee.healthcheck = ["CMD", "/nodejs/bin/node", "healthcheck.cjs", "8002"];
  facts.up = { state: "failed", output: "container course-check-5-x-employee-1 is unhealthy" };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-healthy"]);
  assert.match(result.get("employee-healthy").hint, /healthcheck asks port 8002/);
});

test("no employee service: one failure, and the checks that need it are not checked", () => {
  const facts = referenceFacts();
  delete facts.config.services.employee;
  delete facts.employee;
  delete facts.http;
  facts.up = { state: "not-run", reason: "employee-service failed", blockedBy: "employee-service" };
  const result = judge(facts);
  assert.deepEqual(result.failed, ["employee-service"]);
  const waiting = result.checks.filter((c) => c.notChecked);
  assert.ok(waiting.length >= 14);
  assert.ok(
    waiting.every((c) => !c.passed && /^Fix employee-(service|healthy) first\.$/.test(c.hint)),
  );
});
