import { statfs } from "node:fs/promises";
import { arch, release } from "node:os";
import { COURSE_PORTS } from "@course/stack";
import { classImages } from "../../class-images.ts";
import { docker, engineAddress, imageExists } from "../../lib/docker.ts";
import { errorMessage } from "../../lib/errors.ts";
import { fetchWithin } from "../../lib/http.ts";
import { repoRoot } from "../../lib/paths.ts";
import { busyPorts } from "../../lib/ports.ts";
import { runCommand } from "../../lib/process.ts";
import {
  archFinding,
  bad,
  composeTooOld,
  engineFinding,
  type EngineAnswer,
  type Finding,
  hubFinding,
  type HubPulls,
  imagesFinding,
  type Laptop,
  laptopOf,
  MIN_COMPOSE,
  ok,
  portsFinding,
} from "./findings.ts";
import { bold, dim, FAIL, green, PASS, red, SKIP, wrap } from "../../lib/ui.ts";

// `course doctor`: is this machine ready for the class? One line per question, green or red, and
// for each red line what to do about it. "Ready." means the whole day can run: the class's images
// are all here, or Docker Hub answers with enough pulls left for those that are not. With --azure,
// the questions are about the Cosmos DB account that .env names instead (azure.ts).

export type { Finding } from "./findings.ts";

const MIN_FREE_GB = 5;
const GB = 1024 ** 3;

type EngineInfo = EngineAnswer;

async function engine(): Promise<EngineInfo> {
  const address = await engineAddress();
  try {
    const version = await docker.version();
    const info = (await docker.info()) as NonNullable<EngineAnswer["info"]>;
    return { address, version, info };
  } catch (error) {
    return { address, error: errorMessage(error) };
  }
}

/** The docker CLI's context when it is not the default one (dockerode does not follow it). */
async function cliContext(): Promise<Laptop["context"]> {
  const name = await cli(["context", "show"]);
  if (name === undefined || name === "default") return undefined;
  const endpoint = await cli(["context", "inspect", "--format", "{{.Endpoints.docker.Host}}"]);
  return endpoint ? { name, endpoint } : undefined;
}

async function cli(args: string[]) {
  try {
    const result = await runCommand("docker", args);
    return result.code === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function composeFinding(): Promise<Finding> {
  const version = await cli(["compose", "version", "--short"]);
  if (version === undefined)
    return bad(
      "compose",
      "Docker Compose v2",
      "`docker compose` is not available",
      "Install the compose plugin (Docker Desktop has it; on Linux the docker-compose-plugin package). The old `docker-compose` v1 is not enough.",
    );
  if (composeTooOld(version))
    return bad(
      "compose",
      "Docker Compose v2",
      `version ${version}: exercise 5 needs ${MIN_COMPOSE.text} or newer (include:, watch)`,
      "Update Docker Desktop or the docker-compose-plugin package.",
    );
  return ok("compose", "Docker Compose v2", version);
}

async function buildxFinding(): Promise<Finding> {
  const version = await cli(["buildx", "version"]);
  return version === undefined
    ? bad(
        "buildx",
        "Docker Buildx",
        "`docker buildx` is not available",
        "Install the buildx plugin (Docker Desktop has it; on Linux the docker-buildx-plugin package): the course's builds use BuildKit.",
      )
    : ok("buildx", "Docker Buildx", /\bv?\d+\.\d+\.\d+\S*/.exec(version)?.[0] ?? version);
}

async function diskFinding(found: EngineInfo): Promise<Finding> {
  const candidates = [found.info?.DockerRootDir, repoRoot].filter(
    (path): path is string => path !== undefined,
  );
  for (const path of candidates) {
    try {
      const stats = await statfs(path);
      const free = (stats.bavail * stats.bsize) / GB;
      const detail = `${free.toFixed(1)} GB free on ${path}`;
      return free >= MIN_FREE_GB
        ? ok("disk", "Free disk", detail)
        : bad(
            "disk",
            "Free disk",
            `${detail}; the class needs about ${String(MIN_FREE_GB)} GB`,
            "`docker system df` shows what Docker uses; `docker system prune` removes stopped containers, unused networks, dangling images and the build cache.",
          );
    } catch {
      // Not on this machine (a remote engine or a Docker Desktop VM): try the next path.
    }
  }
  return {
    id: "disk",
    status: "skip",
    title: "Free disk",
    detail: "skipped: could not be measured",
  };
}

async function hubPulls(offline: boolean): Promise<HubPulls> {
  if (offline) return { reachable: false, offline: true, detail: "skipped: --offline" };
  const unreachable = { reachable: false, detail: "skipped: Docker Hub not reachable" };
  const repository = "ratelimitpreview/test";
  let token: string | undefined;
  try {
    const { body } = await fetchWithin(
      `https://auth.docker.io/token?service=registry.docker.io&scope=repository:${repository}:pull`,
      5000,
    );
    token = (JSON.parse(body) as { token?: string }).token;
  } catch {
    token = undefined;
  }
  if (!token) return unreachable;
  try {
    const { response } = await fetchWithin(
      `https://registry-1.docker.io/v2/${repository}/manifests/latest`,
      5000,
      { method: "HEAD", headers: { Authorization: `Bearer ${token}` } },
    );
    const limit = response.headers.get("ratelimit-limit");
    const remaining = response.headers.get("ratelimit-remaining");
    if (remaining === null || limit === null)
      return { reachable: true, detail: "no limit reported for this address" };
    const left = Number(remaining.split(";")[0]);
    const [total = "?", window = ""] = limit.split(";");
    const hours = /w=(\d+)/.exec(window)?.[1];
    return {
      reachable: true,
      left,
      detail: `${String(left)} of ${total} anonymous pulls left${hours ? ` per ${String(Number(hours) / 3600)} h` : ""} for this address`,
    };
  } catch {
    return unreachable;
  }
}

/** The class's images on the engine (the offline stand-ins count for the bases they replace). */
async function presentImages(found: EngineInfo) {
  const wanted = classImages();
  if (found.version === undefined) return undefined;
  const present: string[] = [];
  const missing: string[] = [];
  for (const image of wanted) {
    let exists = false;
    try {
      exists = await imageExists(image);
    } catch {
      exists = false;
    }
    (exists ? present : missing).push(image);
  }
  return { present, missing };
}

export async function doctor(options: {
  offline: boolean;
  json: boolean;
  /** Check the Azure Cosmos DB account that this .env file names, instead of the machine. */
  azure?: { envFile?: string };
}): Promise<number> {
  let findings: Finding[];
  let question = "Is this machine ready for the course?";
  if (options.azure) {
    const { azureFindings } = await import("./azure.ts");
    findings = await azureFindings(options.azure);
    question = "Is the Azure Cosmos DB account ready for the class?";
  } else findings = await diagnose(options);
  const failed = findings.some((f) => f.status === "fail");
  if (options.json) console.log(JSON.stringify({ ok: !failed, findings }, null, 2));
  else printFindings(question, findings);
  return failed ? 1 : 0;
}

async function diagnose(options: { offline: boolean }): Promise<Finding[]> {
  const found = await engine();
  const context = await cliContext();
  const laptop: Laptop = {
    ...laptopOf(process.env, process.platform, release()),
    ...(context ? { context } : {}),
  };
  const [compose, buildx, disk, busy, pulls, images] = await Promise.all([
    composeFinding(),
    buildxFinding(),
    diskFinding(found),
    busyPorts(COURSE_PORTS),
    hubPulls(options.offline),
    presentImages(found),
  ]);
  return [
    engineFinding(found, laptop),
    compose,
    buildx,
    archFinding(found, arch()),
    disk,
    portsFinding(COURSE_PORTS, busy, laptop),
    hubFinding(pulls),
    imagesFinding(images, pulls),
  ];
}

function printFindings(question: string, findings: Finding[]) {
  const width = Math.max(60, Math.min(process.stdout.columns || 100, 110));
  const titleWidth = Math.max(...findings.map((f) => f.title.length));
  const pad = " ".repeat(titleWidth + 6);
  const lines = ["", bold(question), ""];
  for (const finding of findings) {
    const mark =
      finding.status === "ok" ? green(PASS) : finding.status === "fail" ? red(FAIL) : dim(SKIP);
    const text = `  ${mark} ${finding.title.padEnd(titleWidth)}  ${wrap(finding.detail, width - pad.length, pad)}`;
    lines.push(
      finding.status === "fail" ? red(text) : finding.status === "skip" ? dim(text) : text,
    );
    if (finding.advice)
      lines.push(`${pad}${wrap(`→ ${finding.advice}`, width - pad.length, `${pad}  `)}`);
  }
  const failures = findings.filter((f) => f.status === "fail").length;
  lines.push(
    "",
    failures
      ? red(bold(`${String(failures)} thing${failures === 1 ? "" : "s"} to fix before the class.`))
      : green(bold("Ready.")),
    "",
  );
  console.log(lines.join("\n"));
}
