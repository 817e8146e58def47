import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildArgs, LABEL } from "./docker.ts";
import { runCommand } from "./process.ts";

// `docker build` with BuildKit, its progress handed line by line to the caller, and what to tell
// a trainee when it fails: the first error and a hint matched on the classic mistakes.

export interface BuildResult {
  ok: boolean;
  imageId?: string;
  seconds: number;
  output: string;
}

export async function build(options: {
  dockerfile: string;
  context: string;
  tag: string;
  labels?: Record<string, string>;
  target?: string;
  /** `linux/arm64`: another architecture than the engine's runs its RUN steps emulated. */
  platform?: string;
  onLine?: (line: string) => void;
}): Promise<BuildResult> {
  const dir = await mkdtemp(join(tmpdir(), "course-build-"));
  const iidfile = join(dir, "iid");
  const labels = { [LABEL]: "1", ...options.labels };
  const started = performance.now();
  try {
    const { code, output } = await runCommand(
      "docker",
      [
        "build",
        "--progress=plain",
        "-f",
        options.dockerfile,
        "-t",
        options.tag,
        "--iidfile",
        iidfile,
        ...Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
        ...(options.target ? ["--target", options.target] : []),
        ...(options.platform ? ["--platform", options.platform] : []),
        ...buildArgs(),
        options.context,
      ],
      { ...(options.onLine ? { onLine: options.onLine } : {}) },
    );
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) return { ok: false, seconds, output };
    const imageId = (await readFile(iidfile, "utf8")).trim();
    return { ok: true, imageId, seconds, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The output of the step that failed (BuildKit's plain progress prefixes each line with #N). */
export function failedStep(output: string): { title?: string; lines: string[] } {
  const id = /^#(\d+) ERROR:/m.exec(output)?.[1];
  if (id === undefined) return { lines: [] };
  const lines = output
    .split("\n")
    .filter((line) => line.startsWith(`#${id} `))
    .map((line) => line.slice(id.length + 2).replace(/^\d+\.\d+ /, ""));
  const title = lines[0]?.startsWith("[") ? lines[0].replace(/^\[[^\]]*\] /, "") : undefined;
  return { ...(title ? { title } : {}), lines: lines.slice(title ? 1 : 0) };
}

const MEANINGFUL = /error|not found|denied|EACCES|failed|cannot|unable|no such/i;
const NPM = /^npm (error|ERR!)\s*/;
const NPM_DETAIL = /^(code|syscall|path|errno|dest|A complete log|Run "npm help)\b|^$/;

/** Whether a line of a failed step says what went wrong (npm prefixes every line with "error"). */
function meaningful(line: string): boolean {
  if (NPM.test(line)) return !NPM_DETAIL.test(line.replace(NPM, ""));
  return MEANINGFUL.test(line) && !/^(ERROR:|DONE|CACHED)/.test(line);
}

/** What went wrong, in one line: the failing step and its first error. */
export function firstError(output: string): string {
  const step = failedStep(output);
  const line =
    step.lines.find(meaningful) ??
    step.lines.find((l) => l.startsWith("ERROR: "))?.slice("ERROR: ".length) ??
    output
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /^ERROR:/.test(l)) ??
    output.trim().split("\n").at(-1) ??
    "no output";
  const text = step.title ? `${step.title}: ${line.trim()}` : line.trim();
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

const BUILD_HINTS: [RegExp, string][] = [
  [
    /toomanyrequests|pull rate limit/i,
    "Docker Hub limits anonymous pulls per address, and a classroom shares one. Sign in with `docker login`, or load the class's image archive (`npx course images load <file>`).",
  ],
  [
    /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|unable to get local issuer certificate/i,
    "npm does not trust the certificate of a proxy between you and the registry. The trainer guide shows how to hand its CA to the build as a secret, without baking it into the image.",
  ],
  [
    /manifest unknown|pull access denied|failed to resolve source metadata|repository does not exist|no match for platform/i,
    "The base image could not be found. Check the name and tag of each FROM on Docker Hub and for your platform, and that the machine is online (`npx course doctor`).",
  ],
  [
    /dockerfile parse error|unknown instruction|unknown flag/i,
    "The Dockerfile itself could not be read. Look at the line the error names: spelling of the instruction, quotes and brackets of a JSON array, a line continuation (\\).",
  ],
  [
    /can only install with an existing package-lock\.json|npm ci.*package-lock/i,
    "`npm ci` installs exactly what the lockfile lists. Is package-lock.json in the image when it runs? Check your COPY line and your .dockerignore.",
  ],
  [
    /failed to calculate checksum|failed to compute cache key|not found: not found/i,
    "COPY reads from the build context (the last argument of docker build), after .dockerignore has been applied. Is the file there, under that path relative to the context?",
  ],
  [
    /EACCES|permission denied|rejected by your operating system/i,
    "A step could not write. Read the path in the error: which user runs that step, and who owns the folder? COPY creates files as root unless told otherwise, and so does a WORKDIR placed before USER.",
  ],
  [
    /unable to find user|no matching entries in passwd/i,
    "The user named by USER must exist in that stage: stages do not share files unless you copy them.",
  ],
  [
    /useradd: not found|groupadd: not found|adduser: unrecognized option|addgroup: unrecognized option/i,
    "Each distribution has its own tools to create users, with their own options: Alpine has no useradd or groupadd, and BusyBox's adduser and addgroup take short options and only some of Debian's long ones. Which distribution is this stage's base image, and what does its tool's --help say?",
  ],
  [
    /not found|exit code: 127/i,
    'Exit code 127 means "command not found": the program this step runs is not in the image at that point. Which package, or which earlier step, would bring it?',
  ],
];

export function buildHint(output: string): string {
  // The errors are in the failed step and at the end of the log; earlier steps may mention
  // "not found" harmlessly.
  const tail = [...failedStep(output).lines, ...output.split("\n").slice(-30)].join("\n");
  for (const [pattern, hint] of BUILD_HINTS) if (pattern.test(tail)) return hint;
  return "Read the first error above: which instruction failed, and what did its command print? Build it yourself with `docker build` to see the whole log.";
}
