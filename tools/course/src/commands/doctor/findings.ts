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
