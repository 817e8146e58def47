import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { CosmosClient } from "@azure/cosmos";
import { DATABASE, STACK } from "@course/stack";
import { dirname, relative, resolve, sep } from "node:path";
import type { ComposeExercise } from "../../catalogue.ts";
import {
  type Answer,
  type ComposeConfig,
  type ComposeFacts,
  type ContainerFacts,
  type DockerfileFacts,
  EMPLOYEE_PORT,
  EMPLOYEE_SERVICE,
  EMPLOYEES_CONTAINER,
  KEY_SECRET,
  MISSING_DEPARTMENT,
  NEW_EMPLOYEE,
  seedCases,
} from "../../facts/compose.ts";
import { builtFolders } from "../../facts/dockerfile.ts";
import { demultiplex } from "../../facts/probe.ts";
import { REQUIRED_TO_START } from "../../rules/compose.ts";
import { track } from "../../lib/cleanup.ts";
import { BASE_IMAGE_VARIABLES, baseImages, docker, requireEngine } from "../../lib/docker.ts";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { fetchWithin, networkError } from "../../lib/http.ts";
import { inRepo, shown, userCwd } from "../../lib/paths.ts";
import { busyPorts, describeBusy, freeingCommands } from "../../lib/ports.ts";
import { runCommand } from "../../lib/process.ts";
import type { Report } from "../../lib/report.ts";
import { outputLines, runTasks } from "../../lib/tasks.ts";
import { type CheckOptions, runId } from "./options.ts";

// `course check 5`: read the trainee's compose file as compose resolves it, start the stack under
// a project name of this run's own, inspect the employee container, call the employee routes as
// the README does (list, read, create, read back, delete, create under a missing department),
// then take everything down again, whatever happened.

/** Every compose project a check starts is named so; the suffix is this run's own. */
export const PROJECT_PREFIX = "course-check-5-";

function composeFile(exercise: ComposeExercise, file: string | undefined) {
  if (file) {
    const path = resolve(userCwd, file);
    if (!existsSync(path)) throw new CouldNotCheck(`there is no compose file at ${shown(path)}.`);
    return path;
  }
  const found = [exercise.file, exercise.fallback].map(inRepo).find((path) => existsSync(path));
  if (found === undefined)
    throw new CouldNotCheck(
      `there is no compose file: write ${exercise.file}, or name one with --file.`,
    );
  return found;
}

async function ask(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const answer: Answer = { method, path, headers: {} };
  try {
    const { response, body: text } = await fetchWithin(`${origin}${path}`, 8000, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    answer.status = response.status;
    response.headers.forEach((value, name) => (answer.headers[name] = value));
    try {
      answer.body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      answer.body = text;
    }
  } catch (error) {
    answer.error = networkError(error);
  }
  return answer;
}

/** The README's step 15, through the published port. */
async function exercise(origin: string): Promise<ComposeFacts["http"]> {
  const cases = seedCases();
  const [first] = cases;
  if (first === undefined) throw new Error("the seed data has no employees");
  const collection = (c: { companyId: string; departmentId: string }) =>
    `/companies/${c.companyId}/departments/${c.departmentId}/employees`;
  const lists = [];
  for (const seed of cases)
    lists.push({ expected: seed.ids, answer: await ask(origin, "GET", collection(seed)) });
  const firstId = first.ids[0] ?? "";
  const item = {
    expectedId: firstId,
    answer: await ask(origin, "GET", `${collection(first)}/${firstId}`),
  };
  const created = await ask(origin, "POST", collection(first), NEW_EMPLOYEE);
  const create: NonNullable<ComposeFacts["http"]>["create"] = { answer: created };
  const id = (created.body as { id?: unknown } | undefined)?.id;
  const location =
    created.headers.location ?? (typeof id === "string" ? `${collection(first)}/${id}` : undefined);
  let replace: NonNullable<ComposeFacts["http"]>["replace"];
  if (created.status === 201 && location) {
    const path = new URL(location, origin).pathname;
    create.readBack = await ask(origin, "GET", path);
    const etag = create.readBack.headers.etag ?? created.headers.etag ?? "";
    const changed = { ...NEW_EMPLOYEE, role: "Course Check, replaced" };
    const stale = await ask(origin, "PUT", path, changed, { "if-match": STALE_ETAG });
    const fresh = await ask(origin, "PUT", path, changed, etag ? { "if-match": etag } : {});
    // The ETag the employee had before the PUT is stale now: a DELETE with it must be refused.
    const staleDelete = await ask(origin, "DELETE", path, undefined, {
      "if-match": etag || STALE_ETAG,
    });
    replace = { stale, fresh, staleDelete };
    create.removed = await ask(origin, "DELETE", path);
    create.listAfter = await ask(origin, "GET", collection(first));
  }
  const missingParent = await ask(
    origin,
    "POST",
    collection({ companyId: first.companyId, departmentId: MISSING_DEPARTMENT }),
    NEW_EMPLOYEE,
  );
  const docs = await ask(origin, "GET", "/docs");
  return { origin, lists, item, create, ...(replace ? { replace } : {}), missingParent, docs };
}

const STALE_ETAG = '"course-check-stale-etag"';

/** The employee's Dockerfile: there, not another service's, and building its own folder. */
async function dockerfileFacts(facts: ComposeFacts): Promise<DockerfileFacts | undefined> {
  const build = facts.config.services[EMPLOYEE_SERVICE]?.build;
  if (build?.context === undefined) return undefined;
  const path = resolve(build.context, build.dockerfile ?? "Dockerfile");
  const own = relative(build.context, dirname(path)).split(sep).join("/");
  const fromContext = relative(build.context, path).split(sep).join("/");
  // Another service's Dockerfile: the employee answer's own (the reference) is the employee's.
  const ofService = STACK.find(
    (s) => s.dockerfile === fromContext && s.name !== EMPLOYEE_SERVICE,
  )?.name;
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch {
    text = undefined;
  }
  return {
    shown: shown(path),
    exists: text !== undefined,
    own,
    builds: text === undefined ? [] : builtFolders(text),
    ...(ofService ? { ofService } : {}),
  };
}

/** Step 15's last part: with the department service stopped, a create answers 503, quickly. */
async function createWithParentDown(project: string, origin: string) {
  const department = await containerOf(project, "department");
  if (department === undefined) return undefined;
  await department.stop({ t: 2 });
  const [seed] = seedCases();
  if (seed === undefined) return undefined;
  const path = `/companies/${seed.companyId}/departments/${seed.departmentId}/employees`;
  const started = performance.now();
  const answer = await ask(origin, "POST", path, NEW_EMPLOYEE);
  const seconds = (performance.now() - started) / 1000;
  // Created anyway: do not leave it behind in a database that may be Azure.
  const location = answer.headers.location;
  if (answer.status === 201 && location)
    await ask(origin, "DELETE", new URL(location, origin).pathname);
  return { answer, seconds };
}

/** The employees container's partition key, from the stack's local database (published port). */
async function partitionOf(facts: ComposeFacts): Promise<ComposeFacts["partition"]> {
  const employee = facts.config.services.employee;
  const database = employee?.environment?.COSMOSDB_DATABASE ?? "course";
  const local = facts.config.services[DATABASE.name];
  const published = local?.ports?.find((p) => p.target === DATABASE.port)?.published;
  const keyFile = facts.config.secrets?.[KEY_SECRET]?.file;
  const endpoint = employee?.environment?.COSMOSDB_ENDPOINT_URL ?? "";
  if (published === undefined || keyFile === undefined || !endpoint.includes(`${DATABASE.name}:`))
    return { database, error: "the stack does not use the local Cosmos DB server" };
  try {
    const client = new CosmosClient({
      endpoint: `http://127.0.0.1:${String(published)}`,
      key: (await readFile(keyFile, "utf8")).trim(),
      connectionPolicy: { enableEndpointDiscovery: false, requestTimeout: 5000 },
    });
    const { resource } = await client.database(database).container(EMPLOYEES_CONTAINER.id).read();
    client.dispose();
    return { database, paths: resource?.partitionKey?.paths ?? [] };
  } catch (error) {
    return { database, error: errorMessage(error) };
  }
}

async function containerOf(project: string, service: string) {
  const [found] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  return found ? docker.getContainer(found.Id) : undefined;
}

async function employeeFacts(project: string): Promise<ContainerFacts | undefined> {
  const container = await containerOf(project, EMPLOYEE_SERVICE);
  if (container === undefined) return undefined;
  const info = await container.inspect();
  // dockerode's types leave out some of HostConfig's fields; these are the ones read here.
  const host = info.HostConfig as {
    ReadonlyRootfs?: boolean;
    Tmpfs?: Record<string, string>;
    Init?: boolean | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    Memory?: number;
    NanoCpus?: number;
    PidsLimit?: number | null;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null>;
  };
  const logs = await container.logs({ stdout: true, stderr: true, tail: 20 });
  return {
    status: info.State.Status,
    ...(info.State.Health?.Status ? { health: info.State.Health.Status } : {}),
    env: info.Config.Env,
    readOnly: host.ReadonlyRootfs === true,
    tmpfs: Object.keys(host.Tmpfs ?? {}),
    capDrop: host.CapDrop ?? [],
    securityOpt: host.SecurityOpt ?? [],
    init: host.Init === true,
    memory: host.Memory ?? 0,
    nanoCpus: host.NanoCpus ?? 0,
    pidsLimit: host.PidsLimit ?? 0,
    published: Object.values(host.PortBindings ?? {}).flatMap((bindings) =>
      (bindings ?? []).map((b) => `${b.HostIp || "0.0.0.0"}:${b.HostPort}`),
    ),
    mounts: info.Mounts.map((m) => m.Destination),
    healthcheck: (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [],
    logTail: demultiplex(logs)
      .split("\n")
      .map((l) => l.trimEnd())
      .filter(Boolean),
  };
}

export async function checkCompose(
  exercise_: ComposeExercise,
  options: CheckOptions,
): Promise<{ facts: ComposeFacts; image: Report["image"] }> {
  const file = composeFile(exercise_, options.file);
  await requireEngine();
  const version = await runCommand("docker", ["compose", "version"]).catch(() => undefined);
  if (version?.code !== 0)
    throw new CouldNotCheck(
      "`docker compose` (compose v2) is not installed. `npx course doctor` says more.",
    );

  const project = options.tag ?? `${PROJECT_PREFIX}${runId()}`;
  const base = ["compose", "-f", file, "-p", project];
  // Set in the environment, the base images reach every build whose args list them; a marker for
  // those not set shows whether the trainee's build section lists them at all.
  const named = baseImages();
  const markers = Object.fromEntries(
    BASE_IMAGE_VARIABLES.map((name) => [name, named[name] ?? `course-check-arg-${name}`]),
  );
  const configResult = await runCommand("docker", [...base, "config", "--format", "json"], {
    env: markers,
  });
  const parsed =
    configResult.code === 0 ? (JSON.parse(configResult.stdout) as ComposeConfig) : undefined;
  const facts: ComposeFacts = {
    file: shown(file),
    config: {
      ok: parsed !== undefined,
      ...(parsed ? {} : { error: configResult.output.trim().split("\n").at(-1) ?? "" }),
      services: parsed?.services ?? {},
      secrets: parsed?.secrets ?? {},
    },
    baseImages: markers,
    up: { state: "not-run", reason: "the checks of the compose file failed" },
  };
  const dockerfile = await dockerfileFacts(facts);
  if (dockerfile) facts.dockerfile = dockerfile;
  const blocker = exercise_.rules
    .map((rule) => rule(facts))
    .find((c) => !c.passed && REQUIRED_TO_START.includes(c.id));
  if (blocker) {
    facts.up = { state: "not-run", reason: `${blocker.id} failed`, blockedBy: blocker.id };
    return { facts, image: {} };
  }

  const ports = Object.values(facts.config.services).flatMap((service) =>
    (service.ports ?? []).flatMap((p) => (p.published === undefined ? [] : [Number(p.published)])),
  );
  const busy = await busyPorts(ports);
  if (busy.length) {
    facts.up = {
      state: "not-run",
      reason: `ports in use on 127.0.0.1: ${describeBusy(busy)}`,
      freeWith: freeingCommands(busy),
    };
    return { facts, image: {} };
  }

  const down = track(`compose:${project}`, async () => {
    await runCommand("docker", [
      ...base,
      "down",
      "--volumes",
      "--remove-orphans",
      // Images the file does not name (no image:) were built for this run only.
      "--rmi",
      "local",
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
            if (ctx.up.code !== 0) throw new Error("compose up failed");
          },
        },
        {
          title: "Call the employee routes: list, read, create, delete",
          skip: (ctx) => ctx.up?.code !== 0,
          task: async () => {
            const published = facts.config.services[EMPLOYEE_SERVICE]?.ports?.find(
              (p) => Number(p.published) === EMPLOYEE_PORT,
            );
            const origin = `http://127.0.0.1:${String(published?.published ?? EMPLOYEE_PORT)}`;
            facts.http = await exercise(origin);
            facts.partition = await partitionOf(facts);
            // Last, since it stops the department service: nothing after it needs the stack.
            const down = await createWithParentDown(project, origin);
            if (down) facts.parentDown = down;
          },
        },
      ],
      {},
      { quiet: options.json },
    );
    const up = ctx.up ?? { code: 1, output: "" };
    facts.up =
      up.code === 0 ? { state: "up", output: up.output } : { state: "failed", output: up.output };
    const employee = await employeeFacts(project);
    if (employee) facts.employee = employee;
    const department = await containerOf(project, "department");
    if (department) facts.departmentEnv = (await department.inspect()).Config.Env;

    let image: Report["image"] = {};
    const container = await containerOf(project, EMPLOYEE_SERVICE);
    if (container) {
      const info = await docker.getImage((await container.inspect()).Image).inspect();
      image = {
        tag: info.RepoTags[0] ?? info.Id,
        id: info.Id,
        size: info.Size,
        user: info.Config.User || "root (no USER)",
      };
    }
    return { facts, image };
  } finally {
    await down();
  }
}
