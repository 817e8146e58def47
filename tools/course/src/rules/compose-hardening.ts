import type { ComposeFacts, ComposeService } from "../facts/compose-types.ts";
import { KEY_SECRET } from "../facts/compose-types.ts";
import { envValue } from "../facts/parsers.ts";
import { list } from "../lib/format.ts";
import { onEmployee } from "./compose-rule.ts";

// The rules of exercise 5 on how the employee container runs: hardening, limits, healthcheck and
// the key as a secret, read from the running container (Engine API), or the file when it did not
// start.

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

export const employeeHardening = onEmployee({
  id: "employee-hardening",
  title: "hardened like the other services",
  judge: (service, facts) => {
    const h = hardening(service, facts);
    const missing = [
      h.readOnly ? undefined : "read_only: true",
      h.tmpfs.includes(TMPFS_DIR) ? undefined : `tmpfs: [${TMPFS_DIR}]`,
      h.capDrop.map((c) => c.toUpperCase()).includes("ALL") ? undefined : "cap_drop: [ALL]",
      h.noNewPrivileges ? undefined : "security_opt: [no-new-privileges:true]",
      h.init ? undefined : "init: true",
    ].filter((m): m is string => m !== undefined);
    return {
      passed: missing.length === 0,
      found:
        missing.length === 0
          ? `read-only root with a tmpfs on ${TMPFS_DIR}, all capabilities dropped, no-new-privileges, init (${h.source})`
          : `missing in ${h.source}: ${missing.join(", ")}`,
      expected:
        "read_only with a tmpfs on /tmp, cap_drop: [ALL], security_opt: [no-new-privileges:true], init: true",
      hint: "The course's services share these options through the x-service block of compose.yaml; an included file's anchors are not visible in yours, so write them out in the employee entry.",
    };
  },
});

export const employeeLimits = onEmployee({
  id: "employee-limits",
  title: "limited in memory, CPU and processes",
  judge: (service, facts) => {
    const h = hardening(service, facts);
    const missing = [
      h.memory > 0 ? undefined : "memory (mem_limit)",
      h.cpus > 0 ? undefined : "CPU (cpus)",
      h.pids > 0 ? undefined : "processes (pids_limit)",
    ].filter((m): m is string => m !== undefined);
    return {
      passed: missing.length === 0,
      found:
        missing.length === 0
          ? `memory ${String(Math.round(h.memory / 1024 / 1024))} MiB, ${String(h.cpus)} CPU, ${String(h.pids)} processes (${h.source})`
          : `no limit on ${list(missing)} (${h.source})`,
      expected: "mem_limit, cpus and pids_limit, as the other services have",
      hint: "Without limits, one misbehaving container can take the memory or CPU of the whole machine. Which options of the x-service block set them?",
    };
  },
});

export const employeeHealthcheck = onEmployee({
  id: "employee-healthcheck",
  title: "a healthcheck with its timing",
  judge: (service) => {
    const health = service.healthcheck;
    const timing = ["interval", "timeout", "retries", "start_period"] as const;
    const set = timing.filter((name) => health?.[name] !== undefined);
    const passed = health !== undefined && health.disable !== true && set.length === timing.length;
    return {
      passed: passed,
      found:
        health === undefined
          ? "no healthcheck in the employee entry"
          : health.disable
            ? "healthcheck disabled"
            : `healthcheck with ${set.join(", ") || "no timing"}`,
      expected:
        "healthcheck: interval, timeout, retries and start_period (the command comes from the Dockerfile's HEALTHCHECK)",
      hint: "compose waits for `service_healthy` and `docker compose ps` shows (healthy) only as the healthcheck says. The course's services set the timing in compose; the command comes from the image.",
    };
  },
});

export const keySecret = onEmployee({
  id: "key-secret",
  title: "the key arrives as a secret",
  judge: (service, facts) => {
    const secret = service.secrets?.some((s) => s.source === KEY_SECRET) ?? false;
    const key = envValue(facts.employee?.env ?? [], "COSMOSDB_MASTER_KEY") ?? "";
    // A key that .env sets is passed to the course's services too: the course's choice, not yours.
    const fromEnvFile =
      key !== "" && key === envValue(facts.departmentEnv ?? [], "COSMOSDB_MASTER_KEY");
    const inEnv = key !== "" && !fromEnvFile;
    const file = service.environment?.COSMOSDB_MASTER_KEY_FILE;
    return {
      passed: secret && !inEnv && typeof file === "string" && file.startsWith("/run/secrets/"),
      found: [
        secret ? `secret ${KEY_SECRET}` : `no secret ${KEY_SECRET}`,
        file ? `COSMOSDB_MASTER_KEY_FILE=${file}` : "no COSMOSDB_MASTER_KEY_FILE",
        inEnv
          ? "the key's value in the container's environment (docker inspect shows it)"
          : undefined,
      ]
        .filter(Boolean)
        .join("; "),
      expected: `secrets: [${KEY_SECRET}] and COSMOSDB_MASTER_KEY_FILE=/run/secrets/${KEY_SECRET}; no key in the environment`,
      hint: "A key in `environment:` is visible to anyone who can run `docker inspect`. The course's services read it from a file that compose mounts as a secret: copy the department service's secrets and database settings.",
    };
  },
});
