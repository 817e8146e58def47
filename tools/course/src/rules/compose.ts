import {
  type ComposeService,
  EMPLOYEE_PORT,
  EMPLOYEE_SERVICE,
  PARENT,
} from "../facts/compose-types.ts";
import { BASE_IMAGE_VARIABLES } from "../lib/base-images.ts";
import { list } from "../lib/format.ts";
import {
  employeeHardening,
  employeeHealthcheck,
  employeeLimits,
  keySecret,
} from "./compose-hardening.ts";
import { type ComposeRule, onEmployee } from "./compose-rule.ts";
import {
  docsAnswers,
  employeeCreate,
  employeeHealthy,
  employeeItem,
  employeeParentDown,
  employeePartition,
  employeeReplace,
  employeesRoute,
  missingDepartment,
} from "./compose-running.ts";

// The rules of exercise 5, in the order a report lists them: the compose file's shape (read from
// `docker compose config`) here, the running employee container (compose-hardening.ts) and the
// employee routes' behaviour (compose-running.ts). Each names what the README asked for.

/** The check ids of exercise 5, one per rule of COMPOSE_RULES below. */
export type ComposeId =
  | "compose-file"
  | "employee-service"
  | "employee-build"
  | "build-args"
  | "employee-port"
  | "depends-on-department"
  | "department-url"
  | "employee-hardening"
  | "employee-limits"
  | "employee-healthcheck"
  | "key-secret"
  | "employee-healthy"
  | "employees-route"
  | "employee-item"
  | "employee-create"
  | "employee-replace"
  | "employee-missing-department"
  | "employee-partition"
  | "docs-answers"
  | "employee-parent-down";

const composeFile: ComposeRule = {
  id: "compose-file",
  title: "the compose file is valid",
  beforeStart: true,
  failedMeans: "the compose file is not valid",
  judge: ({ file, config }) => ({
    passed: config.ok,
    found: config.ok ? `${file} is valid` : (config.error ?? "docker compose config failed"),
    expected: "`docker compose config` accepts the file",
    hint: "Read the error: YAML indentation, and paths in include: and build: are relative to your compose file's folder.",
  }),
};

const employeeService: ComposeRule = {
  id: "employee-service",
  title: "an employee service",
  beforeStart: true,
  failedMeans: "there is no employee service",
  judge: ({ config }) => {
    const names = Object.keys(config.services).sort();
    return {
      passed: config.ok && config.services[EMPLOYEE_SERVICE] !== undefined,
      found: config.ok
        ? `services: ${names.join(", ") || "none"}`
        : "not checked: the file is not valid",
      expected: "a service named employee, next to the course's services (from include:)",
      hint:
        config.ok && !names.includes(PARENT.name)
          ? "The course's services are missing: does your file include: the course's compose.yaml (a path relative to your file)?"
          : "Your compose file includes the course's file and adds one service of its own. What is that service called in the exercise?",
    };
  },
};

const employeeBuild: ComposeRule = {
  ...onEmployee({
    id: "employee-build",
    title: "built from your Dockerfile",
    judge: (service, facts) => {
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
        hint = `Your Dockerfile still copies or builds ${list(others)}: write ${dockerfile.own} in \`npm ci --workspace …\`, in the sources COPY, in \`npm run build --workspace …\` and in both \`COPY --from=build\` lines (step 12).`;
      } else found = `built from ${dockerfile.shown}, which builds ${dockerfile.own}`;
      return {
        passed: passed,
        found: found,
        expected:
          "a build section: the repository root as context, services/employee/Dockerfile as dockerfile, building services/employee",
        hint: hint,
      };
    },
  }),
  beforeStart: true,
};

const buildArgs = onEmployee({
  id: "build-args",
  title: "passes the base images on to the build",
  judge: (service, facts) => {
    const args = service.build?.args ?? {};
    const missing = BASE_IMAGE_VARIABLES.filter(
      (name) => facts.baseImages[name] !== undefined && args[name] !== facts.baseImages[name],
    );
    return {
      passed: missing.length === 0,
      found:
        missing.length === 0
          ? `build args: ${BASE_IMAGE_VARIABLES.filter((n) => n in args).join(", ")}`
          : `build args without ${missing.join(", ")}`,
      expected: `args: [${BASE_IMAGE_VARIABLES.join(", ")}] in the build section, as the course's services have`,
      hint: "With the class's images loaded or mirrored, the base images are named in the environment and compose hands them to a build only when its args list them: without them your build asks Docker Hub. Look at the build section of the course's services.",
    };
  },
});

const hostPorts = (service: ComposeService) =>
  (service.ports ?? []).map(
    (p) => `${p.host_ip ?? "0.0.0.0"}:${String(p.published ?? "?")}->${String(p.target)}`,
  );

const employeePort = onEmployee({
  id: "employee-port",
  title: `published on 127.0.0.1:${String(EMPLOYEE_PORT)}`,
  judge: (service) => {
    const ports = service.ports ?? [];
    const ours = ports.filter((p) => Number(p.published) === EMPLOYEE_PORT);
    const passed =
      ours.length > 0 &&
      ports.every((p) => p.host_ip === "127.0.0.1") &&
      ours.some((p) => p.target === EMPLOYEE_PORT);
    return {
      passed: passed,
      found: ports.length ? hostPorts(service).join(", ") : "no published ports",
      expected: `127.0.0.1:${String(EMPLOYEE_PORT)}->${String(EMPLOYEE_PORT)}, and nothing published on other addresses`,
      hint:
        ours.length === 0
          ? `The service listens on ${String(EMPLOYEE_PORT)} in its container; compose publishes it on the host only when ports: says so (host address, host port, container port).`
          : !ours.some((p) => p.target === EMPLOYEE_PORT)
            ? `The last number of a port mapping is the port in the container, where the service listens: ${String(EMPLOYEE_PORT)}; the first is the one on your machine.`
            : "A port published without an address is open to the whole network, not only to you. How do the course's services publish theirs?",
    };
  },
});

const dependsOn = onEmployee({
  id: "depends-on-department",
  title: "starts after a healthy department service",
  judge: (service) => {
    const condition = service.depends_on?.department?.condition;
    return {
      passed: condition === "service_healthy",
      found: condition
        ? `depends on department: ${condition}`
        : `depends on: ${Object.keys(service.depends_on ?? {}).join(", ") || "nothing"}`,
      expected: "depends_on: department: condition: service_healthy",
      hint:
        condition === "service_started"
          ? "The short form (a list of names) waits only until the department container has started, not until it answers. Which long form makes compose wait until it is healthy?"
          : "The employee service asks the department service before it creates an employee. Which condition makes compose wait until that service is healthy, not just started?",
    };
  },
});

const LOOPBACK = /^(127\.|localhost$|0\.0\.0\.0$|\[?::1\]?$)/;

const departmentUrl = onEmployee({
  id: "department-url",
  title: "finds the department service by its name",
  judge: (service, facts) => {
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
    return {
      passed: host === PARENT.name && String(port) === expected.port,
      found: url ? `${PARENT.variable}=${url}` : `no ${PARENT.variable} in its environment`,
      expected: `${PARENT.variable}=${PARENT.url} (the service's name and its container port)`,
      hint: hint,
    };
  },
});

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
