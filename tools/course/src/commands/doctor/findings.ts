import type { BusyPort } from "../../lib/ports.ts";
import { describeBusy } from "../../lib/ports.ts";

// What `course doctor` concludes from what the engine and the machine answered: pure functions,
// tested on recorded answers of `docker version` and `docker info` from each kind of laptop.

export interface Finding {
  id: string;
  status: "ok" | "fail" | "skip";
  title: string;
  detail: string;
  advice?: string;
}

/** compose.yaml's healthcheck.start_interval needs Engine 25 (Docker Desktop 4.27). */
export const MIN_ENGINE_MAJOR = 25;
export const MIN_DESKTOP = "4.27";

/** Exercise 5: `include:` needs Compose 2.20, `docker compose watch` 2.22; the guides quote this. */
export const MIN_COMPOSE = { major: 2, minor: 22, text: "2.22" } as const;

/** A `docker compose version --short` older than MIN_COMPOSE. */
export function composeTooOld(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(/[.-]/).map(Number);
  return major < MIN_COMPOSE.major || (major === MIN_COMPOSE.major && minor < MIN_COMPOSE.minor);
}

export const ok = (id: string, title: string, detail: string): Finding => ({
  id,
  status: "ok",
  title,
  detail,
});
export const bad = (id: string, title: string, detail: string, advice: string): Finding => ({
  id,
  status: "fail",
  title,
  detail,
  advice,
});

/** The machine the tool runs on, as far as the advice depends on it. */
export interface Laptop {
  platform: NodeJS.Platform;
  /** Linux inside WSL (Docker Desktop's engine is reached through its WSL integration). */
  wsl: boolean;
  /** The docker CLI's current context, when it is not `default`, and its endpoint. */
  context?: { name: string; endpoint: string };
}

export interface EngineAnswer {
  /** The address dockerode tried. */
  address: string;
  version?: { Version: string; ApiVersion: string; Os: string; Arch: string };
  info?: { Architecture: string; DockerRootDir: string; OSType?: string };
  error?: string;
}

export const laptopOf = (env: NodeJS.ProcessEnv, platform: NodeJS.Platform, release: string) => ({
  platform,
  wsl: platform === "linux" && (env.WSL_DISTRO_NAME !== undefined || /microsoft/i.test(release)),
});

function unreachableAdvice(answer: EngineAnswer, laptop: Laptop): string {
  const denied = /EACCES|EPERM|permission denied|access is denied/i.test(answer.error ?? "");
  const advice: string[] = [];
  if (laptop.context && !laptop.context.endpoint.includes(answer.address.replace(/^\w+:\/*/, "")))
    advice.push(
      `The docker CLI uses the context "${laptop.context.name}" (${laptop.context.endpoint}), which this tool does not read: set DOCKER_HOST=${laptop.context.endpoint}, or \`docker context use default\`.`,
    );
  if (laptop.platform === "win32")
    advice.push(
      denied
        ? "Your Windows user must be in the local group docker-users: as administrator, `net localgroup docker-users <your user> /add`, then sign out and in again."
        : "Start Docker Desktop and wait until it says the engine is running.",
    );
  else if (laptop.wsl)
    advice.push(
      "In Docker Desktop on Windows: Settings > Resources > WSL integration, turn on this distribution, then open a new WSL terminal. (Or start an engine installed inside WSL: `sudo service docker start`.)",
    );
  else if (laptop.platform === "darwin")
    advice.push(
      "Start Docker Desktop. With Colima, OrbStack or Rancher Desktop, set DOCKER_HOST to their socket (`docker context inspect` shows it).",
    );
  else
    advice.push(
      denied
        ? "Your user may use the engine's socket only as a member of the docker group: `sudo usermod -aG docker $USER`, then log out and in again (or `newgrp docker`)."
        : "Start the engine (`sudo systemctl start docker`), or Docker Desktop.",
    );
  return advice.join(" ");
}

export function engineFinding(answer: EngineAnswer, laptop: Laptop): Finding {
  const title = "Docker engine";
  if (answer.version === undefined)
    return bad(
      "engine",
      title,
      `not reachable at ${answer.address}: ${answer.error ?? "no answer"}`,
      unreachableAdvice(answer, laptop),
    );
  const { Version, ApiVersion, Os, Arch } = answer.version;
  const os = answer.info?.OSType ?? Os;
  if (os !== "linux")
    return bad(
      "engine",
      title,
      `${Version} runs ${os} containers: the course's images are Linux images (no matching manifest for ${os}/${Arch})`,
      "Switch Docker Desktop to Linux containers: right-click its tray icon > Switch to Linux containers…",
    );
  const major = Number(/^\d+/.exec(Version)?.[0] ?? 0);
  if (major < MIN_ENGINE_MAJOR)
    return bad(
      "engine",
      title,
      `version ${Version}: compose.yaml's healthcheck.start_interval needs Engine ${String(MIN_ENGINE_MAJOR)} or newer`,
      `Update Docker Desktop to ${MIN_DESKTOP} or newer, or Docker Engine to ${String(MIN_ENGINE_MAJOR)} or newer.`,
    );
  return ok("engine", title, `${Version} (API ${ApiVersion}), ${os}/${Arch}, at ${answer.address}`);
}

export function portsFinding(ports: readonly number[], busy: BusyPort[], laptop: Laptop): Finding {
  const title = "Course ports";
  if (busy.length === 0) return ok("ports", title, `${ports.join(", ")} free on 127.0.0.1`);
  const excluded = busy.filter((b) => b.reason === "forbidden");
  const taken = busy.filter((b) => b.reason !== "forbidden");
  const detail = [
    taken.length ? `in use: ${describeBusy(taken)}` : "",
    excluded.length
      ? `not allowed to listen (EACCES): ${excluded.map((b) => String(b.port)).join(", ")}`
      : "",
  ]
    .filter(Boolean)
    .join("; ");
  const advice: string[] = [];
  if (taken.some((b) => b.holder))
    advice.push(
      "Stop those containers (`docker compose down` in their project, or `docker stop <name>`).",
    );
  if (taken.some((b) => !b.holder))
    advice.push(
      laptop.platform === "win32"
        ? "Another program listens there: `netstat -ano | findstr :<port>` names its process id."
        : "Another program listens there: `lsof -i :<port>` names it.",
    );
  if (excluded.length)
    advice.push(
      laptop.platform === "win32" || laptop.wsl
        ? "Windows reserves these ports (Hyper-V, WSL and Docker excluded port ranges): `netsh int ipv4 show excludedportrange protocol=tcp` lists them; as administrator, `net stop winnat` then `net start winnat` usually frees them."
        : "This user may not listen on these ports: a security policy forbids it.",
    );
  return bad("ports", title, detail, advice.join(" "));
}

/** The CPU architecture: the engine's, or this machine's (`os.arch()`) when the engine did not answer. */
export function archFinding(found: EngineAnswer, thisMachine: string): Finding {
  const machine = found.info?.Architecture ?? thisMachine;
  const where = found.info ? "the engine" : "this machine (the engine did not answer)";
  if (/^(x86_64|amd64|x64)$/.test(machine))
    return ok(
      "arch",
      "CPU architecture",
      `amd64 on ${where}: every image the course uses is published for it`,
    );
  if (/^(aarch64|arm64)$/.test(machine))
    return ok(
      "arch",
      "CPU architecture",
      `arm64 on ${where}: node, alpine and distroless images exist for it; images you build here run on arm64 only, unless built with --platform linux/amd64`,
    );
  return bad(
    "arch",
    "CPU architecture",
    `${machine} on ${where}`,
    "The course's base images are published for amd64 and arm64 only: use a machine (or a Docker Desktop VM) with one of them.",
  );
}

const MIN_HUB_PULLS = 20;

/** What Docker Hub says about this address: unreachable, no limit, or the pulls left. */
export interface HubPulls {
  reachable: boolean;
  offline?: boolean;
  /** Anonymous pulls left in the window; undefined when reachable with no limit reported. */
  left?: number;
  detail: string;
}

export function hubFinding(pulls: HubPulls): Finding {
  const title = "Docker Hub pulls left";
  if (!pulls.reachable) return { id: "hub", status: "skip", title, detail: pulls.detail };
  return pulls.left === undefined || pulls.left >= MIN_HUB_PULLS
    ? ok("hub", title, pulls.detail)
    : bad(
        "hub",
        title,
        pulls.detail,
        "Docker Hub allows 10 pulls an hour per address without an account, and a classroom shares one address: load the class's archive (`npx course images load <file>`), or sign in (`docker login`: a free Personal account gets 100 pulls an hour of its own).",
      );
}

/** Pulls from Docker Hub count against its limit; other registries (gcr.io) do not. */
const fromDockerHub = (image: string) => {
  const first = image.split("/")[0] ?? "";
  return !image.includes("/") || !/[.:]|^localhost$/.test(first) || first === "docker.io";
};

export function imagesFinding(
  images: { present: string[]; missing: string[] } | undefined,
  pulls: HubPulls,
): Finding {
  const title = "Class images";
  if (images === undefined)
    return { id: "images", status: "skip", title, detail: "skipped: no engine to look in" };
  const { present, missing } = images;
  const all = present.length + missing.length;
  if (missing.length === 0)
    return ok("images", title, `all ${String(all)} present: ${present.join(", ")}`);
  const hubPullsNeeded = missing.filter(fromDockerHub).length;
  const detail = `${String(present.length)} of ${String(all)} present; missing: ${missing.join(", ")}`;
  const count = (n: number, word: string) => `${String(n)} ${word}${n === 1 ? "" : "s"}`;
  const pullAdvice = `pull them, ${count(missing.length, "image")} = ${count(missing.length, "pull")}: ${missing.map((m) => `\`docker pull ${m}\``).join(", ")}`;
  const load = "load the trainer's archive: `npx course images load <archive>`";
  if (pulls.reachable && (pulls.left === undefined || pulls.left >= hubPullsNeeded))
    return {
      ...ok(
        "images",
        title,
        `${detail}; they will be pulled when first used (${String(hubPullsNeeded)} Docker Hub pull${hubPullsNeeded === 1 ? "" : "s"}, ${pulls.left === undefined ? "no limit reported" : `${String(pulls.left)} left`})`,
      ),
      advice: `In a room that shares one address, ${load} instead.`,
    };
  const why = pulls.reachable
    ? `Docker Hub has ${String(pulls.left)} pulls left for this address, ${String(hubPullsNeeded)} needed`
    : `Docker Hub ${pulls.offline ? "was not asked (--offline)" : "is not reachable"}`;
  return bad(
    "images",
    title,
    `${detail}; ${why}`,
    `From the repository root, ${load}. Or, where Docker Hub answers, ${pullAdvice}.`,
  );
}
