import { employees } from "@course/data";
import { MICROSERVICES } from "@course/stack";

// What the checks of exercise 5 know: the trainee's compose file as `docker compose config`
// resolves it, the employee container as the engine runs it, and what the employee routes
// answered through the published port. The rules (../rules/compose.ts) are pure functions of it.

export interface Port {
  target?: number;
  published?: string | number;
  host_ip?: string;
}

export interface ComposeService {
  build?: { context?: string; dockerfile?: string; args?: Record<string, string | null> };
  image?: string;
  ports?: Port[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: {
    test?: string[];
    disable?: boolean;
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  environment?: Record<string, string | null>;
  secrets?: { source: string; target?: string }[];
  read_only?: boolean;
  tmpfs?: string[] | string;
  cap_drop?: string[];
  security_opt?: string[];
  init?: boolean;
  mem_limit?: string | number;
  cpus?: number | string;
  pids_limit?: number;
  deploy?: { resources?: { limits?: { memory?: string; cpus?: string; pids?: number } } };
}

export interface ComposeConfig {
  services?: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string }>;
}

/** The employee container, from the Engine API (`docker inspect`). */
export interface ContainerFacts {
  status: string;
  health?: string;
  env: string[];
  readOnly: boolean;
  tmpfs: string[];
  capDrop: string[];
  securityOpt: string[];
  init: boolean;
  memory: number;
  nanoCpus: number;
  pidsLimit: number;
  /** host address:port for each published port */
  published: string[];
  mounts: string[];
  logTail: string[];
  /** The healthcheck command the container runs (from the image, unless compose sets one). */
  healthcheck: string[];
}

export interface DockerfileFacts {
  /** As the trainee would type it, relative to where they are. */
  shown: string;
  exists: boolean;
  /** The folder it should build: the Dockerfile's own, relative to the build context. */
  own: string;
  /** The service folders its COPY and build lines name. */
  builds: string[];
  /** The Dockerfile is another service's of the stack registry (for example the department's). */
  ofService?: string;
}

/** One HTTP exchange with the employee service. */
export interface Answer {
  method: string;
  path: string;
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
  error?: string;
}

export interface HttpFacts {
  origin: string;
  /** The seed employees of some departments, and what listing each answered. */
  lists: { expected: string[]; answer: Answer }[];
  item: { expectedId: string; answer: Answer };
  /** POST a new employee, GET its Location, DELETE it, list the department again. */
  create: { answer: Answer; readBack?: Answer; removed?: Answer; listAfter?: Answer };
  /** PUT it with a stale If-Match, then with its ETag; DELETE it with the stale ETag. */
  replace?: { stale: Answer; fresh: Answer; staleDelete: Answer };
  /** POST into a department that does not exist. */
  missingParent: Answer;
  docs: Answer;
}

export interface ComposeFacts {
  /** The compose file, as the trainee would type its path. */
  file: string;
  config: {
    ok: boolean;
    error?: string;
    services: Record<string, ComposeService>;
    secrets?: Record<string, { file?: string }>;
  };
  /** The base images named in the environment, which the builds must receive. */
  baseImages: Record<string, string>;
  up:
    | {
        state: "not-run";
        /** The commands that free the ports it needs, when other containers hold them. */
        freeWith?: string[];
        reason: string;
        /** The failed check that kept it from starting. */
        blockedBy?: string;
      }
    | { state: "failed"; output: string }
    | { state: "up"; output: string };
  /** The Dockerfile the employee service is built from, and the service folders it builds. */
  dockerfile?: DockerfileFacts;
  /** The employee container, when compose created one. */
  employee?: ContainerFacts;
  /** The department container's environment, to tell a key from .env apart from one in the file. */
  departmentEnv?: string[];
  /** A create while the department service is stopped, and how long its answer took. */
  parentDown?: { answer: Answer; seconds: number };
  /** The employees container's partition key, read from the local database, when it runs. */
  partition?: { paths?: string[]; error?: string; database: string };
  http?: HttpFacts;
}

/** Exercise 5's service, as step 13 names it: the compose service and the registry's entry. */
export const EMPLOYEE_SERVICE = "employee";

const employee = MICROSERVICES.find((s) => s.name === EMPLOYEE_SERVICE);
const parent = MICROSERVICES.find((s) => s.name === employee?.parent.name);
if (employee === undefined || parent === undefined)
  throw new Error("the stack registry has no employee service and its parent");

/** Exercise 5's service as the stack registry has it, and the parent it asks. */
export const EMPLOYEE_PORT = employee.port;
export const PARENT = {
  name: parent.name,
  variable: employee.parent.variable,
  url: `http://${parent.name}:${String(parent.port)}`,
};
export const KEY_SECRET = "cosmosdb_master_key";

/** Departments of the seed data that have employees: what the employee routes must return. */
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

/** A new employee for the create check: valid for the fields of `Employee` in the seed data. */
export const NEW_EMPLOYEE = {
  firstName: "Grace",
  lastName: "Hopper",
  email: "grace.hopper@course-check.example",
  role: "Course Check",
  startDate: "2026-01-05",
};

export const MISSING_DEPARTMENT = "course-check-no-such-department";

/** The container exercise 5 stores employees in (step 8), and its partition key path. */
export const EMPLOYEES_CONTAINER = { id: "employees", partitionKey: "/companyId" };
