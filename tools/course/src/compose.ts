import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { employees } from "@course/data";
import { shown } from "./check.ts";
import { track } from "./cleanup.ts";
import { busyPorts, describeBusy } from "./doctor.ts";
import {
  CouldNotCheck,
  docker,
  errorMessage,
  fetchWithin,
  repoRoot,
  requireEngine,
  runCommand,
  userCwd,
} from "./engine.ts";
import type { Check } from "./exercises.ts";
import type { Report } from "./report.ts";
import { outputLines, runTasks } from "./tasks.ts";

// `course check 5`: the trainee's compose file defines an employee service built from their
// Dockerfile; compose starts the whole stack healthy; the employee routes return the seed data;
// then everything is taken down again, whatever happened.

export const PROJECT = "course-check-5";
const EMPLOYEE_PORT = 8003;

interface Port {
  target?: number;
  published?: string | number;
  host_ip?: string;
}
interface Service {
  build?: { context?: string; dockerfile?: string };
  image?: string;
  ports?: Port[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}
interface ComposeConfig {
  services?: Record<string, Service>;
}

const fail = (id: string, title: string, found: string, expected: string, hint: string) => ({
  id,
  title,
  passed: false,
  found,
  expected,
  hint,
});

function composeFile(file: string | undefined) {
  if (file) {
    const path = resolve(userCwd, file);
    if (!existsSync(path)) throw new CouldNotCheck(`there is no compose file at ${shown(path)}.`);
    return path;
  }
  const candidates = ["exercises/05-compose-employees/compose.yaml", "compose.yaml"].map((name) =>
    resolve(repoRoot, name),
  );
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined)
    throw new CouldNotCheck(
      "there is no compose file: write exercises/05-compose-employees/compose.yaml, or name one with --file.",
    );
  return found;
}

/** Two departments of the seed data that have employees: what the employee routes must return. */
export function seedCases(count = 2) {
  const byDepartment = new Map<
    string,
    { companyId: string; departmentId: string; ids: string[] }
  >();
  for (const employee of employees) {
    const key = `${employee.companyId}/${employee.departmentId}`;
    const entry = byDepartment.get(key) ?? {
      companyId: employee.companyId,
      departmentId: employee.departmentId,
      ids: [],
    };
    entry.ids.push(employee.id);
    byDepartment.set(key, entry);
  }
  return [...byDepartment.values()].slice(0, count);
}

const UP_HINTS: [RegExp, string][] = [
  [
    /port is already allocated|address already in use/i,
    "Another container holds one of the stack's ports. `docker ps` shows which: stop the stack it belongs to (`docker compose down` in its folder) and check again.",
  ],
  [
    /package\.json and package-lock\.json.*in sync|npm ci.*in sync/is,
    "`npm ci` refuses a lockfile that does not match the manifests. Did you run `npm install` at the repository root after adding the workspace?",
  ],
  [
    /No workspaces found/i,
    "`npm run build --workspace …` in your Dockerfile names a folder that is not a workspace. Is it spelled as your service's folder, under services/, with a package.json?",
  ],
  [
    /Could not resolve "src\/server\.ts"/,
    "esbuild found no sources to bundle: the sources COPY and `npm run build --workspace …` in your Dockerfile name different folders. Do both say services/employee?",
  ],
  [
    /"\/src\/[^"]*\/dist": not found/,
    "A runtime stage copies dist/ from a folder that the build stage did not bundle. Do both `COPY --from=build` lines name your service's folder?",
  ],
  [
    /is unhealthy|dependency failed to start/i,
    "A service did not become healthy. `docker compose logs <service>` and `docker inspect --format '{{json .State.Health}}' <container>` show why.",
  ],
  [
    /exited with code|exited \(1\)/i,
    "A container stopped at start-up. Its log names the cause: a missing or wrong variable is reported on one line.",
  ],
];

function upHint(output: string) {
  const tail = output.split("\n").slice(-60).join("\n");
  return (
    UP_HINTS.find(([pattern]) => pattern.test(tail))?.[1] ??
    "Read the first error above; `docker compose -f <your file> up --build` shows the whole log."
  );
}

function lastErrors(output: string) {
  const lines = output.split("\n").map((l) => l.trim());
  const errors = lines.filter((l) => /error|failed|unhealthy|exited/i.test(l));
  return (errors.at(-1) ?? lines.filter(Boolean).at(-1) ?? "no output").slice(0, 400);
}

async function getJson(url: string): Promise<{ status?: number; body?: unknown; error?: string }> {
  try {
    const { response, body } = await fetchWithin(url, 5000);
    try {
      return { status: response.status, body: JSON.parse(body) as unknown };
    } catch {
      return { status: response.status, body };
    }
  } catch (error) {
    return { error: (error as { cause?: { code?: string } }).cause?.code ?? errorMessage(error) };
  }
}

function staticChecks(config: ComposeConfig): Check[] {
  const employee = config.services?.employee;
  const names = Object.keys(config.services ?? {}).sort();
  const checks: Check[] = [];
  checks.push({
    id: "employee-service",
    title: "an employee service",
    passed: employee !== undefined,
    found: `services: ${names.join(", ") || "none"}`,
    expected: "a service named employee, next to the course's services",
    hint: "Your compose file includes the course's file and adds one service of its own. What is that service called in the exercise?",
  });
  if (employee === undefined) return checks;

  const dockerfile =
    employee.build?.context !== undefined
      ? resolve(employee.build.context, employee.build.dockerfile ?? "Dockerfile")
      : undefined;
  checks.push({
    id: "employee-build",
    title: "built from a Dockerfile",
    passed: dockerfile !== undefined && existsSync(dockerfile),
    found:
      dockerfile === undefined
        ? `no build section${employee.image ? ` (image: ${employee.image})` : ""}`
        : existsSync(dockerfile)
          ? `built from ${shown(dockerfile)}`
          : `the Dockerfile ${shown(dockerfile)} does not exist`,
    expected: "a build section naming a context and your service's Dockerfile",
    hint: "compose builds the image itself when a service has a build section. Which folder is the context of the course's services, and where is your Dockerfile relative to it?",
  });

  const ports = employee.ports ?? [];
  const published = ports.find((p) => Number(p.published) === EMPLOYEE_PORT);
  checks.push({
    id: "employee-port",
    title: "published on 127.0.0.1:8003",
    passed: published !== undefined && published.host_ip === "127.0.0.1",
    found: ports.length
      ? ports
          .map(
            (p) => `${p.host_ip ?? "0.0.0.0"}:${String(p.published ?? "?")}->${String(p.target)}`,
          )
          .join(", ")
      : "no published ports",
    expected: `${String(EMPLOYEE_PORT)} published on 127.0.0.1 only`,
    hint: "A port published without an address is open to the whole network. How do the course's services publish theirs?",
  });

  const condition = employee.depends_on?.department?.condition;
  checks.push({
    id: "depends-on-department",
    title: "starts after a healthy department service",
    passed: condition === "service_healthy",
    found: condition
      ? `depends on department: ${condition}`
      : `depends on: ${Object.keys(employee.depends_on ?? {}).join(", ") || "nothing"}`,
    expected: "depends_on department with condition service_healthy",
    hint: "The employee service asks the department service before it creates an employee. Which condition makes compose wait until that service is healthy, not just started?",
  });
  return checks;
}

const UP_EXPECTED = "docker compose up --wait succeeds with the employee service healthy";

/** What the employee routes must answer, asked through the published port. */
async function routeChecks(origin: string): Promise<Check[]> {
  const cases = seedCases();
  const problems: string[] = [];
  for (const seed of cases) {
    const path = `/companies/${seed.companyId}/departments/${seed.departmentId}/employees`;
    const answer = await getJson(`${origin}${path}`);
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      problems.push(`GET ${path}: ${answer.error ?? `status ${String(answer.status)}`}`);
      continue;
    }
    const ids = (answer.body as { id?: unknown }[]).map((e) => String(e.id)).sort();
    const expected = [...seed.ids].sort();
    const missing = expected.filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !expected.includes(id));
    if (missing.length || extra.length)
      problems.push(
        `GET ${path}: ${String(ids.length)} employees${missing.length ? `, missing ${missing.slice(0, 3).join(", ")}` : ""}${extra.length ? `, not of this department: ${extra.slice(0, 3).join(", ")}` : ""}`,
      );
  }
  const [first] = cases;
  const itemPath = first
    ? `/companies/${first.companyId}/departments/${first.departmentId}/employees/${first.ids[0] ?? ""}`
    : "";
  const item = await getJson(`${origin}${itemPath}`);
  const itemId = (item.body as { id?: unknown } | undefined)?.id;
  const docs = await getJson(`${origin}/docs`);
  return [
    {
      id: "employees-route",
      title: "the employees of a department",
      passed: problems.length === 0,
      found: problems.length
        ? problems.join("; ")
        : `the seed employees of ${cases.map((c) => `${c.companyId}/${c.departmentId}`).join(" and ")}`,
      expected:
        "GET /companies/{companyId}/departments/{departmentId}/employees lists exactly the seed data's employees of that department",
      hint: "Compare with packages/data/src/data.ts: does the service load the employees of the seed data, and does its list filter by both the company and the department of the URL?",
    },
    {
      id: "employee-item",
      title: "one employee",
      passed: item.status === 200 && itemId === first?.ids[0],
      found: `GET ${itemPath}: ${item.error ?? `status ${String(item.status)}`}`,
      expected: "GET …/employees/{employeeId} answers 200 with that employee",
      hint: "An item route sits below the collection, with one more URL parameter. Which partition does the read need?",
    },
    {
      id: "docs-answers",
      title: "the API answers /docs",
      passed: docs.status === 200,
      found: `GET /docs: ${docs.error ?? `status ${String(docs.status)}`}`,
      expected: `GET ${origin}/docs answers 200`,
      hint: "Every service of the course serves its OpenAPI documentation at /docs: did the copy keep the service kit's app factory?",
    },
  ];
}

/** The route checks, marked as not run when the stack did not start. */
const notChecked = (): Check[] =>
  [
    ["employees-route", "the employees of a department"],
    ["employee-item", "one employee"],
    ["docs-answers", "the API answers /docs"],
  ].map(([id = "", title = ""]) => ({
    id,
    title,
    passed: false,
    found: "not checked: the stack did not start",
    expected: "the stack running",
    hint: "Fix employee-healthy first: this check needs the running stack.",
  }));

export async function checkCompose(options: {
  file?: string;
  json: boolean;
  timeout: number;
}): Promise<Report> {
  const file = composeFile(options.file);
  await requireEngine();
  const base = ["compose", "-f", file, "-p", PROJECT];
  const version = await runCommand("docker", ["compose", "version"]).catch(() => undefined);
  if (version?.code !== 0)
    throw new CouldNotCheck(
      "`docker compose` (compose v2) is not installed. `npm run course -- doctor` says more.",
    );

  const checks: Check[] = [];
  const configResult = await runCommand("docker", [...base, "config", "--format", "json"]);
  const config = configResult.code === 0 ? (JSON.parse(configResult.stdout) as ComposeConfig) : {};
  checks.push({
    id: "compose-file",
    title: "the compose file is valid",
    passed: configResult.code === 0,
    found: configResult.code === 0 ? `${shown(file)} is valid` : lastErrors(configResult.output),
    expected: "`docker compose config` accepts the file",
    hint: "Read the error: YAML indentation, and paths in include: and build: are relative to your compose file's folder.",
  });
  if (configResult.code === 0) checks.push(...staticChecks(config));
  const report = (image: Report["image"] = {}): Report => ({
    exercise: 5,
    passed: checks.every((c) => c.passed),
    checks,
    image,
  });

  const runnable = checks.every(
    (c) => c.passed || !["compose-file", "employee-service", "employee-build"].includes(c.id),
  );
  if (!runnable) return report();

  const ports = Object.values(config.services ?? {}).flatMap((service) =>
    (service.ports ?? []).flatMap((p) => (p.published === undefined ? [] : [Number(p.published)])),
  );
  const busy = await busyPorts(ports);
  if (busy.length) {
    checks.push(
      fail(
        "employee-healthy",
        "the stack starts healthy",
        `not started: ports in use on 127.0.0.1: ${describeBusy(busy)}`,
        UP_EXPECTED,
        "Another stack holds the ports this one publishes. Stop it (`docker compose down` in its folder, or `docker stop <name>`) and check again.",
      ),
      ...notChecked(),
    );
    return report();
  }

  const down = track(`compose:${PROJECT}`, async () => {
    await runCommand("docker", [
      ...base,
      "down",
      "--volumes",
      "--remove-orphans",
      "--timeout",
      "5",
    ]);
  });
  try {
    const ctx = await runTasks<{ up?: { code: number; output: string } }>(
      [
        {
          title: `docker compose -f ${shown(file)} up --build --wait`,
          ...outputLines(6),
          task: async (ctx, task) => {
            ctx.up = await runCommand(
              "docker",
              [
                ...base,
                "up",
                "--build",
                "--detach",
                "--wait",
                "--wait-timeout",
                String(options.timeout),
              ],
              { onLine: (line) => (task.output = line) },
            );
            if (ctx.up.code !== 0)
              throw new Error(`compose up failed: ${lastErrors(ctx.up.output)}`);
          },
        },
      ],
      {},
      { quiet: options.json },
    );
    const up = ctx.up ?? { code: 1, output: "" };

    const [container] = await docker.listContainers({
      all: true,
      filters: {
        label: [`com.docker.compose.project=${PROJECT}`, "com.docker.compose.service=employee"],
      },
    });
    let image: Report["image"] = {};
    let state: { Status: string; Health?: { Status: string } } | undefined;
    if (container) {
      state = (await docker.getContainer(container.Id).inspect()).State;
      const info = await docker.getImage(container.ImageID).inspect();
      image = {
        tag: container.Image,
        id: info.Id,
        size: info.Size,
        user: info.Config.User || "root (no USER)",
      };
    }
    const health = state?.Health?.Status;
    const healthy = up.code === 0 && health === "healthy";
    checks.push(
      healthy
        ? {
            id: "employee-healthy",
            title: "the stack starts healthy",
            passed: true,
            found: "every service healthy, employee included",
            expected: UP_EXPECTED,
            hint: "",
          }
        : fail(
            "employee-healthy",
            "the stack starts healthy",
            up.code !== 0
              ? lastErrors(up.output)
              : `employee is ${state?.Status ?? "missing"}${health ? `, health ${health}` : ", with no healthcheck"}`,
            UP_EXPECTED,
            up.code !== 0
              ? upHint(up.output)
              : "compose waits for a healthcheck only when the service has one. Where do the course's services get theirs?",
          ),
    );

    const published = config.services?.employee?.ports?.find(
      (p) => Number(p.published) === EMPLOYEE_PORT,
    );
    const origin = `http://127.0.0.1:${String(published?.published ?? EMPLOYEE_PORT)}`;
    checks.push(...(up.code === 0 ? await routeChecks(origin) : notChecked()));
    return report(image);
  } finally {
    await down();
  }
}
