import {
  type Answer,
  type ComposeFacts,
  type ComposeService,
  EMPLOYEE_PORT,
  EMPLOYEE_SERVICE,
  EMPLOYEES_CONTAINER,
  KEY_SECRET,
  PARENT,
} from "../facts/compose.ts";
import { envValue } from "../facts/image.ts";
import { BASE_IMAGE_VARIABLES } from "../lib/docker.ts";
import { list } from "../lib/format.ts";
import { type Check, check, notChecked, type Rule } from "./types.ts";

// The rules of exercise 5: the compose file's shape (read from `docker compose config`), the
// running employee container (the Engine API), and the employee routes' behaviour (HTTP through
// the published port). Each names what the README asked for.

type ComposeRule = Rule<ComposeFacts>;

const employeeOf = (facts: ComposeFacts): ComposeService | undefined =>
  facts.config.services[EMPLOYEE_SERVICE];

/** A rule about the employee service's entry: "not checked" until there is one. */
const entry =
  (id: string, title: string, judge: (service: ComposeService, facts: ComposeFacts) => Check) =>
  (facts: ComposeFacts): Check => {
    const service = employeeOf(facts);
    if (service !== undefined) return judge(service, facts);
    return facts.config.ok
      ? notChecked(id, title, "there is no employee service", "employee-service")
      : notChecked(id, title, "the compose file is not valid", "compose-file");
  };

/** The port the employee service says it listens on, from its log ("Server listening at …"). */
export function listeningPort(log: string[]): number | undefined {
  for (const line of log) {
    const port = /listening at https?:\/\/[^\s"]*:(\d+)/i.exec(line)?.[1];
    if (port) return Number(port);
  }
  return undefined;
}

/** When the published port does not answer at all, the cause is where the service listens. */
function unreachableHint(facts: ComposeFacts) {
  const port = listeningPort(facts.employee?.logTail ?? []);
  const where =
    port !== undefined && port !== EMPLOYEE_PORT
      ? `The service listens on port ${String(port)} inside its container, but compose publishes ${String(EMPLOYEE_PORT)}. `
      : "";
  return `${where}Nothing answered on 127.0.0.1:${String(EMPLOYEE_PORT)}. Which port does src/app.ts give the service by default, and do EXPOSE and both HEALTHCHECKs of your Dockerfile say ${String(EMPLOYEE_PORT)}?`;
}

/** A rule about the running stack: "not checked" when it did not start. */
const running =
  (
    id: string,
    title: string,
    judge: (facts: ComposeFacts & Required<Pick<ComposeFacts, "http">>) => Check,
  ) =>
  (facts: ComposeFacts): Check => {
    if (facts.http === undefined)
      return notChecked(id, title, "the stack did not start", "employee-healthy");
    const result = judge({ ...facts, http: facts.http });
    const silent = [...facts.http.lists.map((l) => l.answer), facts.http.docs].every(
      (a) => a.error !== undefined,
    );
    return !result.passed && silent ? { ...result, hint: unreachableHint(facts) } : result;
  };

const said = (answer: Answer) =>
  `${answer.method} ${answer.path}: ${answer.error ?? `${String(answer.status)}${problemDetail(answer)}`}`;

function problemDetail(answer: Answer) {
  const detail = (answer.body as { detail?: unknown } | undefined)?.detail;
  return typeof detail === "string" ? ` "${detail.slice(0, 160)}"` : "";
}

const composeFile: ComposeRule = ({ file, config }) =>
  check(
    "compose-file",
    "the compose file is valid",
    config.ok,
    config.ok ? `${file} is valid` : (config.error ?? "docker compose config failed"),
    "`docker compose config` accepts the file",
    "Read the error: YAML indentation, and paths in include: and build: are relative to your compose file's folder.",
  );

const employeeService: ComposeRule = ({ config }) => {
  const names = Object.keys(config.services).sort();
  return check(
    "employee-service",
    "an employee service",
    config.ok && config.services[EMPLOYEE_SERVICE] !== undefined,
    config.ok ? `services: ${names.join(", ") || "none"}` : "not checked: the file is not valid",
    "a service named employee, next to the course's services (from include:)",
    config.ok && !names.includes(PARENT.name)
      ? "The course's services are missing: does your file include: the course's compose.yaml (a path relative to your file)?"
      : "Your compose file includes the course's file and adds one service of its own. What is that service called in the exercise?",
  );
};

const employeeBuild = entry("employee-build", "built from your Dockerfile", (service, facts) => {
  const { dockerfile } = facts;
  const others = dockerfile?.builds.filter((folder) => folder !== dockerfile.own) ?? [];
  const passed =
    dockerfile !== undefined &&
    dockerfile.exists &&
    dockerfile.ofService === undefined &&
    others.length === 0;
  let found: string;
  let hint =
    "compose builds the image itself when a service has a build section. Which folder is the context of the course's services, and where is your Dockerfile relative to it?";
  if (dockerfile === undefined)
    found = `no build section${service.image ? ` (image: ${service.image})` : ""}`;
  else if (!dockerfile.exists) found = `the Dockerfile ${dockerfile.shown} does not exist`;
  else if (dockerfile.ofService) {
    found = `built from ${dockerfile.shown}, the ${dockerfile.ofService} service's Dockerfile`;
    hint = `The employee image is built from the ${dockerfile.ofService} service's Dockerfile, so the container runs that service. Point dockerfile: at your own, services/employee/Dockerfile.`;
  } else if (others.length) {
    found = `${dockerfile.shown} builds ${list(others)}, not ${dockerfile.own}`;
    hint = `Your Dockerfile still copies or builds ${list(others)}: write ${dockerfile.own} in the sources COPY, in \`npm run build --workspace …\` and in both \`COPY --from=build\` lines (step 12).`;
  } else found = `built from ${dockerfile.shown}, which builds ${dockerfile.own}`;
  return check(
    "employee-build",
    "built from your Dockerfile",
    passed,
    found,
    "a build section: the repository root as context, services/employee/Dockerfile as dockerfile, building services/employee",
    hint,
  );
});

const buildArgs = entry(
  "build-args",
  "passes the base images on to the build",
  (service, facts) => {
    const args = service.build?.args ?? {};
    const missing = BASE_IMAGE_VARIABLES.filter(
      (name) => facts.baseImages[name] !== undefined && args[name] !== facts.baseImages[name],
    );
    return check(
      "build-args",
      "passes the base images on to the build",
      missing.length === 0,
      missing.length === 0
        ? `build args: ${BASE_IMAGE_VARIABLES.filter((n) => n in args).join(", ")}`
        : `build args without ${missing.join(", ")}`,
      `args: [${BASE_IMAGE_VARIABLES.join(", ")}] in the build section, as the course's services have`,
      "With the class's images loaded or mirrored, the base images are named in the environment and compose hands them to a build only when its args list them: without them your build asks Docker Hub. Look at the build section of the course's services.",
    );
  },
);

const hostPorts = (service: ComposeService) =>
  (service.ports ?? []).map(
    (p) => `${p.host_ip ?? "0.0.0.0"}:${String(p.published ?? "?")}->${String(p.target)}`,
  );

const employeePort = entry(
  "employee-port",
  `published on 127.0.0.1:${String(EMPLOYEE_PORT)}`,
  (service) => {
    const ports = service.ports ?? [];
    const ours = ports.filter((p) => Number(p.published) === EMPLOYEE_PORT);
    const passed =
      ours.length > 0 &&
      ports.every((p) => p.host_ip === "127.0.0.1") &&
      ours.some((p) => p.target === EMPLOYEE_PORT);
    return check(
      "employee-port",
      `published on 127.0.0.1:${String(EMPLOYEE_PORT)}`,
      passed,
      ports.length ? hostPorts(service).join(", ") : "no published ports",
      `127.0.0.1:${String(EMPLOYEE_PORT)}->${String(EMPLOYEE_PORT)}, and nothing published on other addresses`,
      ours.length === 0
        ? `The service listens on ${String(EMPLOYEE_PORT)} in its container; compose publishes it on the host only when ports: says so (host address, host port, container port).`
        : !ours.some((p) => p.target === EMPLOYEE_PORT)
          ? `The last number of a port mapping is the port in the container, where the service listens: ${String(EMPLOYEE_PORT)}; the first is the one on your machine.`
          : "A port published without an address is open to the whole network, not only to you. How do the course's services publish theirs?",
    );
  },
);

const dependsOn = entry(
  "depends-on-department",
  "starts after a healthy department service",
  (service) => {
    const condition = service.depends_on?.department?.condition;
    return check(
      "depends-on-department",
      "starts after a healthy department service",
      condition === "service_healthy",
      condition
        ? `depends on department: ${condition}`
        : `depends on: ${Object.keys(service.depends_on ?? {}).join(", ") || "nothing"}`,
      "depends_on: department: condition: service_healthy",
      condition === "service_started"
        ? "The short form (a list of names) waits only until the department container has started, not until it answers. Which long form makes compose wait until it is healthy?"
        : "The employee service asks the department service before it creates an employee. Which condition makes compose wait until that service is healthy, not just started?",
    );
  },
);

const LOOPBACK = /^(127\.|localhost$|0\.0\.0\.0$|\[?::1\]?$)/;

const departmentUrl = entry(
  "department-url",
  "finds the department service by its name",
  (service, facts) => {
    const url = service.environment?.[PARENT.variable] ?? undefined;
    let parsed: URL | undefined;
    try {
      parsed = url ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    const host = parsed?.hostname;
    const port = parsed ? Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80)) : 0;
    const expected = new URL(PARENT.url);
    let hint = `The employee service reads the department service's address from ${PARENT.variable} and stops at start without it. How does the department entry in the course's compose.yaml name the company service?`;
    if (host !== undefined && LOOPBACK.test(host))
      hint = `Inside a container, ${host} is that container itself, not your machine and not the department service. Compose puts the services on one network where each is reachable by its service name, on its container port.`;
    else if (host !== undefined && host !== PARENT.name && host in facts.config.services)
      hint = `${PARENT.variable} names the ${host} service: an employee's parent is the ${PARENT.name} service, the one the employee service asks whether a department exists.`;
    else if (host === PARENT.name)
      hint = `The ${PARENT.name} service listens on ${expected.port} in its container; the ports in \`ports:\` are for your machine, not for the services among themselves.`;
    else if (url !== undefined)
      hint = `${url} is no service of this stack. Compose names each service's host after the service: which one is the employee's parent?`;
    return check(
      "department-url",
      "finds the department service by its name",
      host === PARENT.name && String(port) === expected.port,
      url ? `${PARENT.variable}=${url}` : `no ${PARENT.variable} in its environment`,
      `${PARENT.variable}=${PARENT.url} (the service's name and its container port)`,
      hint,
    );
  },
);

const TMPFS_DIR = "/tmp";
const asList = (value: string[] | string | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The hardening compose applies, from the running container when there is one. */
function hardening(service: ComposeService, facts: ComposeFacts) {
  const container = facts.employee;
  if (container)
    return {
      readOnly: container.readOnly,
      tmpfs: container.tmpfs,
      capDrop: container.capDrop,
      noNewPrivileges: container.securityOpt.some((o) =>
        /^no-new-privileges(:true|=true)?$/.test(o),
      ),
      init: container.init,
      memory: container.memory,
      cpus: container.nanoCpus / 1e9,
      pids: container.pidsLimit,
      source: "the running container",
    };
  const limits = service.deploy?.resources?.limits;
  return {
    readOnly: service.read_only === true,
    tmpfs: asList(service.tmpfs).map((t) => t.split(":")[0] ?? t),
    capDrop: service.cap_drop ?? [],
    noNewPrivileges: (service.security_opt ?? []).some((o) =>
      /^no-new-privileges(:true)?$/.test(o),
    ),
    init: service.init === true,
    memory: Number(service.mem_limit ?? limits?.memory ?? 0) || (limits?.memory ? 1 : 0),
    cpus: Number(service.cpus ?? limits?.cpus ?? 0),
    pids: service.pids_limit ?? limits?.pids ?? 0,
    source: "the compose file",
  };
}

const employeeHardening = entry(
  "employee-hardening",
  "hardened like the other services",
  (service, facts) => {
    const h = hardening(service, facts);
    const missing = [
      h.readOnly ? undefined : "read_only: true",
      h.tmpfs.includes(TMPFS_DIR) ? undefined : `tmpfs: [${TMPFS_DIR}]`,
      h.capDrop.map((c) => c.toUpperCase()).includes("ALL") ? undefined : "cap_drop: [ALL]",
      h.noNewPrivileges ? undefined : "security_opt: [no-new-privileges:true]",
      h.init ? undefined : "init: true",
    ].filter((m): m is string => m !== undefined);
    return check(
      "employee-hardening",
      "hardened like the other services",
      missing.length === 0,
      missing.length === 0
        ? `read-only root with a tmpfs on ${TMPFS_DIR}, all capabilities dropped, no-new-privileges, init (${h.source})`
        : `missing in ${h.source}: ${missing.join(", ")}`,
      "read_only with a tmpfs on /tmp, cap_drop: [ALL], security_opt: [no-new-privileges:true], init: true",
      "The course's services share these options through the x-service block of compose.yaml; an included file's anchors are not visible in yours, so write them out in the employee entry.",
    );
  },
);

const employeeLimits = entry(
  "employee-limits",
  "limited in memory, CPU and processes",
  (service, facts) => {
    const h = hardening(service, facts);
    const missing = [
      h.memory > 0 ? undefined : "memory (mem_limit)",
      h.cpus > 0 ? undefined : "CPU (cpus)",
      h.pids > 0 ? undefined : "processes (pids_limit)",
    ].filter((m): m is string => m !== undefined);
    return check(
      "employee-limits",
      "limited in memory, CPU and processes",
      missing.length === 0,
      missing.length === 0
        ? `memory ${String(Math.round(h.memory / 1024 / 1024))} MiB, ${String(h.cpus)} CPU, ${String(h.pids)} processes (${h.source})`
        : `no limit on ${list(missing)} (${h.source})`,
      "mem_limit, cpus and pids_limit, as the other services have",
      "Without limits, one misbehaving container can take the memory or CPU of the whole machine. Which options of the x-service block set them?",
    );
  },
);

const employeeHealthcheck = entry(
  "employee-healthcheck",
  "a healthcheck with its timing",
  (service) => {
    const health = service.healthcheck;
    const timing = ["interval", "timeout", "retries", "start_period"] as const;
    const set = timing.filter((name) => health?.[name] !== undefined);
    const passed = health !== undefined && health.disable !== true && set.length === timing.length;
    return check(
      "employee-healthcheck",
      "a healthcheck with its timing",
      passed,
      health === undefined
        ? "no healthcheck in the employee entry"
        : health.disable
          ? "healthcheck disabled"
          : `healthcheck with ${set.join(", ") || "no timing"}`,
      "healthcheck: interval, timeout, retries and start_period (the command comes from the Dockerfile's HEALTHCHECK)",
      "compose waits for `service_healthy` and `docker compose ps` shows (healthy) only as the healthcheck says. The course's services set the timing in compose; the command comes from the image.",
    );
  },
);

const keySecret = entry("key-secret", "the key arrives as a secret", (service, facts) => {
  const secret = service.secrets?.some((s) => s.source === KEY_SECRET) ?? false;
  const key = envValue(facts.employee?.env ?? [], "COSMOSDB_MASTER_KEY") ?? "";
  // A key that .env sets is passed to the course's services too: the course's choice, not yours.
  const fromEnvFile =
    key !== "" && key === envValue(facts.departmentEnv ?? [], "COSMOSDB_MASTER_KEY");
  const inEnv = key !== "" && !fromEnvFile;
  const file = service.environment?.COSMOSDB_MASTER_KEY_FILE;
  return check(
    "key-secret",
    "the key arrives as a secret",
    secret && !inEnv && typeof file === "string" && file.startsWith("/run/secrets/"),
    [
      secret ? `secret ${KEY_SECRET}` : `no secret ${KEY_SECRET}`,
      file ? `COSMOSDB_MASTER_KEY_FILE=${file}` : "no COSMOSDB_MASTER_KEY_FILE",
      inEnv
        ? "the key's value in the container's environment (docker inspect shows it)"
        : undefined,
    ]
      .filter(Boolean)
      .join("; "),
    `secrets: [${KEY_SECRET}] and COSMOSDB_MASTER_KEY_FILE=/run/secrets/${KEY_SECRET}; no key in the environment`,
    "A key in `environment:` is visible to anyone who can run `docker inspect`. The course's services read it from a file that compose mounts as a secret: copy the department service's secrets and database settings.",
  );
});

const UP_HINTS: [RegExp, string][] = [
  [
    /port is already allocated|address already in use/i,
    "Another container holds one of the stack's ports. `docker ps` shows which: stop the stack it belongs to (`docker compose down` in its folder) and check again.",
  ],
  [
    /package\.json and package-lock\.json.*in sync|npm ci.*in sync|Missing: @course\/employee/is,
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
    /toomanyrequests|pull access denied|failed to resolve source metadata/i,
    "A build asked Docker Hub for a base image. With the class's images loaded, list the base images in the build's args as the course's services do (build-args above).",
  ],
  [
    /COSMOSDB_MASTER_KEY_FILE must name a readable file/i,
    "The service reads the key from the file COSMOSDB_MASTER_KEY_FILE names, and compose mounts it only for a service that lists the secret: copy `secrets: [cosmosdb_master_key]` from the department entry.",
  ],
  [
    /COMPANY_SERVICE_URL is required/i,
    "The employee container runs code that asks for the company service's URL: the department service's. Either the image is built from the department's folder (the compose file's dockerfile:, or the Dockerfile's COPY and --workspace lines: see employee-build), or src/app.ts still declares the department's parent; the employee's parent is the department service (DEPARTMENT_SERVICE_URL).",
  ],
  [
    /is required|must be|Configuration error/i,
    "The service stopped at start with one line naming the variable that is missing or wrong (see employee log above): set it in the employee entry's environment.",
  ],
  [
    /is unhealthy|dependency failed to start/i,
    "A service did not become healthy. `docker compose -f <your file> logs <service>` and `docker inspect --format '{{json .State.Health}}' <container>` show why.",
  ],
  [
    /exited with code|exited \(1\)/i,
    "A container stopped at start-up. Its log names the cause: a missing or wrong variable is reported on one line.",
  ],
];

export function upHint(output: string) {
  const tail = output.split("\n").slice(-80).join("\n");
  return (
    UP_HINTS.find(([pattern]) => pattern.test(tail))?.[1] ??
    "Read the first error above; `docker compose -f <your file> up --build` shows the whole log."
  );
}

/** The line of compose's output that says most about why it failed. */
export function lastErrors(output: string) {
  const lines = output.split("\n").map((l) => l.trim());
  const errors = lines.filter((l) => /error|failed|unhealthy|exited|Could not resolve/i.test(l));
  return (errors.at(-1) ?? lines.filter(Boolean).at(-1) ?? "no output").slice(0, 400);
}

/** Why the stack did not come up: the employee's own log first, then compose's output. */
function unhealthyHint(facts: ComposeFacts, output: string) {
  const port = listeningPort(facts.employee?.logTail ?? []);
  if (port !== undefined && port !== EMPLOYEE_PORT) return unreachableHint(facts);
  const asked = (facts.employee?.healthcheck ?? [])
    .map(Number)
    .find((n) => Number.isInteger(n) && n >= 1024 && n !== EMPLOYEE_PORT);
  if (asked !== undefined)
    return `The service listens on ${String(EMPLOYEE_PORT)}, but its healthcheck asks port ${String(asked)} (${(facts.employee?.healthcheck ?? []).slice(1).join(" ")}): the Dockerfile's HEALTHCHECK lines still name the template's port.`;
  return upHint(`${output}\n${facts.employee?.logTail.join("\n") ?? ""}`);
}

const UP_EXPECTED = "docker compose up --wait succeeds with the employee service healthy";

const employeeHealthy: ComposeRule = (facts) => {
  const { up, employee } = facts;
  if (up.state === "not-run" && up.blockedBy)
    return notChecked(
      "employee-healthy",
      "the stack starts healthy",
      "the stack was not started",
      up.blockedBy,
    );
  if (up.state === "not-run")
    return check(
      "employee-healthy",
      "the stack starts healthy",
      false,
      `not started: ${up.reason}`,
      UP_EXPECTED,
      up.freeWith !== undefined
        ? `Another stack holds the ports this one publishes. ${up.freeWith.length ? `Stop it: ${up.freeWith.map((c) => `\`${c}\``).join(", then ")},` : "Stop the program that listens there"} and check again.`
        : "Fix the checks above first: the stack is started only when the file and its employee service are there.",
    );
  const healthy = up.state === "up" && employee?.health === "healthy";
  const log =
    employee?.logTail.find((l) => /error|invalid|missing|must/i.test(l)) ??
    employee?.logTail.at(-1);
  return check(
    "employee-healthy",
    "the stack starts healthy",
    healthy,
    healthy
      ? "every service healthy, employee included"
      : up.state === "failed"
        ? `${lastErrors(up.output)}${log ? `; employee log: ${log.slice(0, 200)}` : ""}`
        : `employee is ${employee?.status ?? "missing"}${employee?.health ? `, health ${employee.health}` : ", with no healthcheck"}`,
    UP_EXPECTED,
    up.state === "failed"
      ? unhealthyHint(facts, up.output)
      : "compose waits for a healthcheck only when the service has one. Where do the course's services get theirs?",
  );
};

const employeesRoute = running("employees-route", "the employees of a department", ({ http }) => {
  const problems = http.lists.flatMap(({ expected, answer }) => {
    if (answer.status !== 200 || !Array.isArray(answer.body)) return [said(answer)];
    const ids = (answer.body as { id?: unknown }[]).map((e) => String(e.id));
    const missing = expected.filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !expected.includes(id));
    if (missing.length === 0 && extra.length === 0) return [];
    return [
      `${answer.method} ${answer.path}: ${String(ids.length)} employees${missing.length ? `, missing ${list(missing)}` : ""}${extra.length ? `, not of this department: ${list(extra)}` : ""}`,
    ];
  });
  return check(
    "employees-route",
    "the employees of a department",
    problems.length === 0,
    problems.length
      ? problems.join("; ")
      : `the seed employees of ${http.lists
          .map((l) =>
            l.answer.path
              .split("/")
              .slice(2, 5)
              .filter((_, i) => i !== 1)
              .join("/"),
          )
          .join(" and ")}`,
    "GET /companies/{companyId}/departments/{departmentId}/employees lists exactly the seed data's employees of that department",
    "Compare with packages/data/src/data.ts: does the service seed the employees, and does its list query filter by both the company and the department of the URL?",
  );
});

const employeeItem = running("employee-item", "one employee", ({ http }) => {
  const { answer, expectedId } = http.item;
  const id = (answer.body as { id?: unknown } | undefined)?.id;
  return check(
    "employee-item",
    "one employee",
    answer.status === 200 && id === expectedId,
    answer.status === 200
      ? `${answer.method} ${answer.path}: 200 with id ${String(id)}`
      : said(answer),
    "GET …/employees/{employeeId} answers 200 with that employee",
    "An item route sits below the collection, with one more URL parameter. Which partition does the read need?",
  );
});

/** Why a create failed, in the words of its cause. */
function createHint(facts: ComposeFacts, answer: Answer) {
  const url = facts.config.services[EMPLOYEE_SERVICE]?.environment?.[PARENT.variable] ?? "";
  if (answer.status === 503)
    return `The employee service could not reach the department service at ${PARENT.variable} (${url || "not set"}). Inside a container, 127.0.0.1 is the container itself: compose gives each service a name on the stack's network, and the department service is ${PARENT.url}.`;
  if (answer.status === 404 && !url.startsWith(PARENT.url))
    return `The department exists, but the employee service asked ${url || "no service"} about it: see department-url.`;
  if (answer.status === 404)
    return "The department service said the department does not exist although it does: does the employee service ask for the department of the URL, under its company, at the department service's item route?";
  if (answer.status === 400)
    return "The service refused a valid employee (the fields of `Employee` in packages/data/src/data.ts, without the ids). Does the body schema in src/schemas.ts have exactly those fields?";
  return "A create answers 201 with a Location header naming the new employee and an ETag; its GET answers the same employee and its DELETE 204. Compare your routes with the department service's.";
}

const employeeCreate = running(
  "employee-create",
  "create, read back and delete an employee",
  (facts) => {
    const { create } = facts.http;
    const { answer, readBack, removed, listAfter } = create;
    const problems: string[] = [];
    if (answer.status !== 201) problems.push(said(answer));
    else {
      if (!answer.headers.location) problems.push("201 without a Location header");
      if (!answer.headers.etag) problems.push("201 without an ETag header");
      if (readBack && readBack.status !== 200) problems.push(`reading it back: ${said(readBack)}`);
      // A DELETE that ignored a stale If-Match removed it already: employee-replace says so.
      const gone = facts.http.replace?.staleDelete.status === 204;
      if (removed && removed.status !== 204 && !(gone && removed.status === 404))
        problems.push(`deleting it: ${said(removed)}`);
      if (listAfter && listAfter.status === 200 && Array.isArray(listAfter.body)) {
        const created = (answer.body as { id?: unknown } | undefined)?.id;
        if ((listAfter.body as { id?: unknown }[]).some((e) => e.id === created))
          problems.push("still listed after its DELETE");
      }
    }
    return check(
      "employee-create",
      "create, read back and delete an employee",
      problems.length === 0,
      problems.length
        ? problems.join("; ")
        : `POST 201 (Location ${answer.headers.location ?? ""}, ETag), GET 200, DELETE 204; the department's list as before`,
      "POST …/employees answers 201 with Location and ETag; GET of the Location answers 200; DELETE answers 204",
      createHint(facts, answer),
    );
  },
);

const employeeReplace = running(
  "employee-replace",
  "replace an employee, honouring If-Match",
  (facts) => {
    const { replace } = facts.http;
    if (replace === undefined)
      return notChecked(
        "employee-replace",
        "replace an employee, honouring If-Match",
        "there was no employee created to replace",
        "employee-create",
      );
    const { stale, fresh, staleDelete } = replace;
    const problems: string[] = [];
    if (stale.status !== 412) problems.push(`PUT with a stale If-Match: ${said(stale)}`);
    if (fresh.status !== 200) problems.push(`PUT with its ETag: ${said(fresh)}`);
    else if (!fresh.headers.etag) problems.push("PUT 200 without an ETag header");
    if (staleDelete.status !== 412)
      problems.push(`DELETE with the ETag from before the PUT: ${said(staleDelete)}`);
    let hint =
      "PUT replaces an employee and DELETE removes one only when the request's If-Match names the version it has (412 otherwise): the department service's routes pass `request.headers[\"if-match\"]` on to the repository. Does your copy still do that?";
    if (fresh.status === 404 || fresh.status === 405)
      hint =
        "There is no PUT route for an employee: the item route (…/employees/{employeeId}) answers GET, PUT and DELETE, as the department service's does.";
    return check(
      "employee-replace",
      "replace an employee, honouring If-Match",
      problems.length === 0,
      problems.length
        ? problems.join("; ")
        : "PUT with a stale If-Match 412, with its ETag 200 and a new ETag; DELETE with the old ETag 412",
      "PUT …/employees/{employeeId} answers 412 to a stale If-Match and 200 with its ETag; DELETE with a stale If-Match answers 412",
      hint,
    );
  },
);

const employeeParentDown = running(
  "employee-parent-down",
  "503 while the department service is down",
  (facts) => {
    const down = facts.parentDown;
    if (down === undefined)
      return notChecked(
        "employee-parent-down",
        "503 while the department service is down",
        "the department service could not be stopped",
        "employee-healthy",
      );
    const { answer, seconds } = down;
    const type = answer.headers["content-type"] ?? "";
    const passed =
      answer.status === 503 && type.startsWith("application/problem+json") && seconds < 5;
    let hint =
      "When the department service does not answer, nobody knows whether the department exists: the service answers 503 (and the client may retry), quickly. The service kit's createParentService does it for the department service's own parent.";
    if (answer.status === 500)
      hint =
        "A failed request to the department service became a 500. Ask it through the service kit's createParentService (as the department service asks the company service): it turns a parent that is down or slow into a 503 within 2 s.";
    else if (answer.status === 201)
      hint =
        "The employee was created without the department service being asked: before creating, the routes ask it whether the department exists.";
    else if (answer.error !== undefined || seconds >= 5)
      hint =
        "The create hung while the department service was down. A call to a parent needs a deadline: createParentService has one.";
    return check(
      "employee-parent-down",
      "503 while the department service is down",
      passed,
      `${said(answer)} after ${seconds.toFixed(1)} s, with the department service stopped`,
      "POST …/employees answers 503 application/problem+json within a few seconds while the department service is stopped",
      hint,
    );
  },
);

const employeePartition = running(
  "employee-partition",
  "employees partitioned by company",
  (facts) => {
    const { partition } = facts;
    const expected = `a container ${EMPLOYEES_CONTAINER.id} in database ${partition?.database ?? "course"}, partitioned by ${EMPLOYEES_CONTAINER.partitionKey}`;
    if (partition === undefined || partition.paths === undefined)
      return check(
        "employee-partition",
        "employees partitioned by company",
        false,
        `could not read the ${EMPLOYEES_CONTAINER.id} container: ${partition?.error ?? "not asked"}`,
        expected,
        /does not use the local/.test(partition?.error ?? "")
          ? "This check reads the container from the stack's local Cosmos DB server: run check 5 with the course's local database (no Azure .env)."
          : `Step 8 stores employees in a container named ${EMPLOYEES_CONTAINER.id}: which name does src/repository.ts give it?`,
      );
    const paths = partition.paths;
    return check(
      "employee-partition",
      "employees partitioned by company",
      paths.length === 1 && paths[0] === EMPLOYEES_CONTAINER.partitionKey,
      `${EMPLOYEES_CONTAINER.id} partitioned by ${paths.join(", ") || "nothing"}`,
      expected,
      "The common reads are the employees of one department and one employee, and both know the company from the URL: partitioned by company, each is a single-partition read (step 8).",
    );
  },
);

const missingDepartment = running(
  "employee-missing-department",
  "no employee in a department that does not exist",
  ({ http }) => {
    const answer = http.missingParent;
    const type = answer.headers["content-type"] ?? "";
    return check(
      "employee-missing-department",
      "no employee in a department that does not exist",
      answer.status === 404 && type.startsWith("application/problem+json"),
      answer.status === 404
        ? `404 (${type || "no content type"})${problemDetail(answer)}`
        : said(answer),
      "POST into a department that does not exist answers 404 application/problem+json",
      answer.status === 201
        ? "The employee was created without asking whether its department exists. Before creating, the routes ask the department service (as the department service asks the company service)."
        : answer.status === 503
          ? "The service could not ask the department service at all (503): see employee-create and department-url."
          : "When the parent does not exist, the service answers 404 with problem+json, as the department service does for a missing company. Which error does your route throw?",
    );
  },
);

const docsAnswers = running("docs-answers", "the API answers /docs", ({ http }) =>
  check(
    "docs-answers",
    "the API answers /docs",
    http.docs.status === 200,
    said(http.docs),
    `GET ${http.origin}/docs answers 200`,
    "Every service of the course serves its OpenAPI documentation at /docs: did the copy keep the service kit's app factory?",
  ),
);

/** The rules that need only the compose file: the stack starts only when these three pass. */
export const REQUIRED_TO_START = ["compose-file", "employee-service", "employee-build"];

export const COMPOSE_RULES: ComposeRule[] = [
  composeFile,
  employeeService,
  employeeBuild,
  buildArgs,
  employeePort,
  dependsOn,
  departmentUrl,
  employeeHardening,
  employeeLimits,
  employeeHealthcheck,
  keySecret,
  employeeHealthy,
  employeesRoute,
  employeeItem,
  employeeCreate,
  employeeReplace,
  missingDepartment,
  employeePartition,
  docsAnswers,
  employeeParentDown,
];
