// The stack registry: the one list of the course's running system. `npm run dev`, the course
// tool, the container tests and the benchmark read it; a test checks that compose.yaml, each
// Dockerfile's EXPOSE and HEALTHCHECK, the services' default ports and the workspaces agree.

export interface StackService {
  name: string;
  /** The workspace folder, relative to the repository root. */
  folder: string;
  /** Built from the repository root as context. */
  dockerfile: string;
  port: number;
  /** The parent service asked before a create, and the variable naming its URL. */
  parent?: { name: string; variable: string };
  /** What it is, for tables and charts. */
  note: string;
}

export const DATABASE = {
  name: "cosmosdb",
  folder: "infra/cosmosdb",
  dockerfile: "infra/cosmosdb/Dockerfile",
  port: 8081,
  note: "the local Cosmos DB server",
} as const satisfies StackService;

export const MICROSERVICES = [
  {
    name: "company",
    folder: "services/company",
    dockerfile: "services/company/Dockerfile",
    port: 8001,
    note: "a microservice, bundled with esbuild",
  },
  {
    name: "department",
    folder: "services/department",
    dockerfile: "services/department/Dockerfile",
    port: 8002,
    parent: { name: "company", variable: "COMPANY_SERVICE_URL" },
    note: "a microservice, bundled with esbuild",
  },
  {
    name: "employee",
    folder: "solutions/05-compose-employees/services/employee",
    dockerfile: "solutions/05-compose-employees/services/employee/Dockerfile",
    port: 8003,
    parent: { name: "department", variable: "DEPARTMENT_SERVICE_URL" },
    note: "exercise 5's microservice (the reference answer), bundled with esbuild",
  },
] as const satisfies readonly StackService[];

/** Every image the stack builds: the microservices and the local database. */
export const STACK: readonly StackService[] = [...MICROSERVICES, DATABASE];

/** The sample API of exercises 1 to 4 (no Dockerfile of its own: trainees write it). */
export const API = { name: "api", folder: "api", port: 8000 } as const;

/** Every port the class uses on 127.0.0.1. */
export const COURSE_PORTS = [API.port, ...STACK.map((s) => s.port)].sort((a, b) => a - b);

/** The compose files that start the stack: the course's, and exercise 5's answer (+ employee). */
export const COMPOSE_FILES = {
  course: "compose.yaml",
  withEmployee: "solutions/05-compose-employees/compose.yaml",
} as const;

/** Where a service listens from the host, as the URL its children are given outside compose. */
export const localUrl = (service: Pick<StackService, "port">) =>
  `http://127.0.0.1:${String(service.port)}`;
