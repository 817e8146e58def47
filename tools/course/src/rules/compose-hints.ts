import type { Answer, ComposeFacts } from "../facts/compose-types.ts";
import { EMPLOYEE_PORT } from "../facts/compose-types.ts";

// The hints of exercise 5 that follow a cause read from logs and answers: where the service
// listens, why compose could not start the stack, what an answer said.

/** The port the employee service says it listens on, from its log ("Server listening at …"). */
export function listeningPort(log: string[]): number | undefined {
  for (const line of log) {
    const port = /listening at https?:\/\/[^\s"]*:(\d+)/i.exec(line)?.[1];
    if (port) return Number(port);
  }
  return undefined;
}

/** When the published port does not answer at all, the cause is where the service listens. */
export function unreachableHint(facts: ComposeFacts) {
  const port = listeningPort(facts.employee?.logTail ?? []);
  const where =
    port !== undefined && port !== EMPLOYEE_PORT
      ? `The service listens on port ${String(port)} inside its container, but compose publishes ${String(EMPLOYEE_PORT)}. `
      : "";
  return `${where}Nothing answered on 127.0.0.1:${String(EMPLOYEE_PORT)}. Which port does src/app.ts give the service by default, and do EXPOSE and both HEALTHCHECKs of your Dockerfile say ${String(EMPLOYEE_PORT)}?`;
}

export const said = (answer: Answer) =>
  `${answer.method} ${answer.path}: ${answer.error ?? `${String(answer.status)}${problemDetail(answer)}`}`;

export function problemDetail(answer: Answer) {
  const detail = (answer.body as { detail?: unknown } | undefined)?.detail;
  return typeof detail === "string" ? ` "${detail.slice(0, 160)}"` : "";
}

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
    /without a COSMOSDB_MASTER_KEY line/,
    "COSMOSDB_MASTER_KEY is set in the shell but not in .env: compose mounts .env itself as the key's secret file, so the key must be written there (.env.example shows the line), or unset in the shell.",
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
export function unhealthyHint(facts: ComposeFacts, output: string) {
  const port = listeningPort(facts.employee?.logTail ?? []);
  if (port !== undefined && port !== EMPLOYEE_PORT) return unreachableHint(facts);
  const asked = (facts.employee?.healthcheck ?? [])
    .map(Number)
    .find((n) => Number.isInteger(n) && n >= 1024 && n !== EMPLOYEE_PORT);
  if (asked !== undefined)
    return `The service listens on ${String(EMPLOYEE_PORT)}, but its healthcheck asks port ${String(asked)} (${(facts.employee?.healthcheck ?? []).slice(1).join(" ")}): the Dockerfile's HEALTHCHECK lines still name the template's port.`;
  return upHint(`${output}\n${facts.employee?.logTail.join("\n") ?? ""}`);
}
