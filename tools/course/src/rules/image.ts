import type { Facts, LaunchCause } from "../facts/image.ts";
import { formatSize, list, MB } from "../lib/format.ts";
import type { Rule as RuleOf } from "./types.ts";

// The rules of the image exercises (1 to 4): pure functions of the facts read from a built image
// and a running container. The catalogue (../catalogue.ts) says which exercise uses which.

type Rule = RuleOf<Facts>;

const ERROR_LINE = /\b\w*Error\b|\berror:|not found|EACCES|EADDRINUSE|denied|cannot|unable/i;

/** The log line that says most about why a container stopped: its first error, or its last line. */
export function logSummary(lines: string[]): string | undefined {
  const line = lines.find((l) => ERROR_LINE.test(l)) ?? lines.at(-1);
  return line === undefined ? undefined : line.trim().slice(0, 300);
}

/** The log from its first error line on, which is what a person reads first. */
export function logExcerpt(lines: string[], max = 12): string[] {
  const first = lines.findIndex((l) => ERROR_LINE.test(l));
  return first < 0 ? lines.slice(-max) : lines.slice(first, first + max);
}

/** The image is Alpine; the hint says which Alpine image the exercise starts from. */
export const osAlpine =
  (hint: string): Rule =>
  ({ os }) => ({
    id: "os-alpine",
    title: "based on Alpine Linux",
    passed: os.id === "alpine",
    found: os.id ? `${os.name ?? os.id} (ID=${os.id} in /etc/os-release)` : "no /etc/os-release",
    expected: "Alpine Linux (ID=alpine in /etc/os-release)",
    hint,
  });

export const nodePresent: Rule = ({ node, path }) => ({
  id: "node-present",
  title: "Node.js is in the image",
  passed: node.paths.length > 0,
  found:
    node.onPath !== undefined
      ? `node at ${node.onPath}`
      : node.paths.length > 0
        ? `node at ${list(node.paths)} (not on PATH)`
        : `no node executable (PATH=${path.join(":")})`,
  expected: "a node executable",
  hint: "The API is JavaScript: the image that runs it needs Node.js. Which package, or which base image, brings it?",
});

export const nodeFromApk: Rule = ({ node, apkPackages }) => ({
  id: "node-apk",
  title: "Node.js installed with apk",
  passed: node.fromApk,
  found: node.fromApk
    ? `the nodejs package, node at ${node.onPath ?? "/usr/bin/node"}`
    : node.official
      ? "node from the official Node.js image (/usr/local/bin/node), not from an Alpine package"
      : apkPackages.length === 0
        ? "no Alpine package database (/lib/apk/db/installed)"
        : "no nodejs package among the Alpine packages",
  expected: "Node.js from Alpine's nodejs package (/usr/bin/node)",
  hint: "Exercise 1 installs Node.js by hand, with Alpine's own package manager, on an image that has no Node.js yet. Exercise 2 is where an image brings it for you.",
});

export const nodeOfficial: Rule = ({ node }) => ({
  id: "node-official",
  title: "Node.js from the official image",
  passed: node.official,
  found: node.official
    ? "node at /usr/local/bin/node with NODE_VERSION set"
    : node.fromApk
      ? "node from Alpine's nodejs package (/usr/bin/node), added by hand"
      : `node at ${list(node.paths) || "nowhere"}`,
  expected: "the Node.js build of the official node image (/usr/local/bin/node, NODE_VERSION set)",
  hint: "Exercise 2 lets the Node.js team maintain Node.js for you: start from an image that already has it instead of adding it yourself.",
});

export const execForm: Rule = ({ command }) => ({
  id: "exec-form",
  title: "CMD in exec form",
  passed: !command.shellForm && command.argv.length > 0,
  found:
    command.argv.length === 0
      ? "no CMD or ENTRYPOINT"
      : command.shellForm
        ? `shell form: ${command.argv.map((a) => JSON.stringify(a)).join(" ")}`
        : `exec form: ${JSON.stringify(command.argv)}`,
  expected: "exec form (a JSON array), so that the app is PID 1 and receives SIGTERM",
  hint: "The shell form starts /bin/sh -c, and the shell does not pass docker stop's signal on to the app. Which form of CMD starts the program itself?",
});

export const stages: Rule = ({ stages }) => ({
  id: "stages",
  title: "a build stage and a runtime stage",
  passed: (stages?.count ?? 0) >= 2,
  found:
    stages === undefined
      ? "the Dockerfile could not be read"
      : `${stages.count} stage${stages.count === 1 ? "" : "s"}: ${stages.list.map((s) => `${s.name} (FROM ${s.from})`).join(", ")}`,
  expected: "at least 2 stages: one that builds, one that only runs",
  hint: "Each FROM starts a new stage, and only the last one becomes the image. What does the build need that the running API does not?",
});

export const npmAbsent: Rule = ({ npm }) => ({
  id: "npm-absent",
  title: "no npm in the final image",
  passed: npm.length === 0,
  found: npm.length === 0 ? "no npm" : `npm at ${list(npm)}`,
  expected: "no npm anywhere in the final image",
  hint: "The final image is the last stage only. Did its base image bring npm along, or did an instruction of that stage install or copy it?",
});

export const runtimeFiles: Rule = ({ workdir }) => ({
  id: "runtime-files",
  title: "only what runs is copied",
  passed: workdir.path !== "/" && workdir.extras.length === 0,
  found:
    workdir.path === "/"
      ? "no WORKDIR: the app's files are in /"
      : workdir.extras.length === 0
        ? `${workdir.path} holds no sources, build configuration or dev dependencies`
        : `in ${workdir.path}: ${list(workdir.extras, 5)}`,
  expected: "the compiled code, the production dependencies and package.json only",
  hint: "The runtime stage gets only what you copy from the build stage. What does the API need at run time, and what was only needed to compile it?",
});

export const pathBin: Rule = ({ path, workdir }) => {
  const bins = path.filter((dir) => /(^|\/)node_modules\/\.bin$/.test(dir));
  return {
    id: "path-bin",
    title: "PATH finds the app's launchers",
    passed: bins.length > 0,
    found: `PATH=${path.join(":")}`,
    expected: `PATH includes ${workdir.path === "/" ? "" : workdir.path}/node_modules/.bin`,
    hint: "`npm start` finds fastify although it is not installed system-wide: npm changes one variable before it runs a script. Without npm in the image, who makes that change?",
  };
};

/** What the trainee should look at, given why the launcher cannot start (facts.launch). */
const LAUNCH_HINTS: Record<LaunchCause, (path: string) => string> = {
  "not-on-path": (path) =>
    `The launcher is in the image (${path}), but no PATH directory holds it: \`npm start\` finds it because npm puts node_modules/.bin on PATH before it runs a script. Without npm, who makes that change?`,
  missing: (path) =>
    `There is no ${path} in the image. Is node_modules copied into the runtime stage, into the app's folder, with fastify-cli among the production dependencies?`,
  unreadable: (path) =>
    `The launcher is there, but the user the app runs as may not read it: ${path}. Node.js then says "Cannot find module". Compare the files' owner and mode (\`ls -l\`) with the user's uid (\`id\`): who may read what? COPY --chown gives the files an owner as they are copied.`,
  "app-missing": (path) =>
    `The command names ${path}, which is not in the image. Relative paths start from WORKDIR: which folder did you copy dist/ into, and which folder is the working directory?`,
  "module-type": (path) =>
    `The app is an ES module, and Node.js knows it from "type": "module" in ${path}. Without that package.json next to dist/, it loads dist/app.js as CommonJS and stops at the first import.`,
};

const launchHint = (launch: Facts["launch"]) =>
  launch.cause === undefined ? undefined : LAUNCH_HINTS[launch.cause](launch.path ?? "");

export const launcherStarts: Rule = ({ command, run, path, launch }) => {
  const program = command.program ?? "";
  const runs = run.started && (run.running || run.docs.ok);
  const npmStart = /^(npm|npx)$/.test(program.split("/").at(-1) ?? "");
  let found: string;
  if (!program) found = "no command to run";
  else if (npmStart) found = `the command starts ${program}, which the runtime must not need`;
  else if (!command.launcher)
    found = `the command runs ${[program, ...command.args].join(" ")}, not a launcher from node_modules/.bin`;
  else if (command.resolved === undefined && !program.includes("/") && program !== "node")
    found = `${program} is not in any PATH directory (${path.join(":")})`;
  else found = `${program} → ${command.resolved ?? program}`;
  if (!run.started) found += `; the container did not start: ${run.startError ?? "unknown error"}`;
  else if (!runs)
    found += `; the container exited with code ${String(run.exitCode ?? "?")}${run.logTail.length ? `: ${logSummary(run.logTail) ?? ""}` : ""}`;
  else if (run.process) found += `; running: ${run.process.command}`;
  return {
    id: "launcher-starts",
    title: "the CLI launcher starts the API",
    passed: command.launcher && !npmStart && runs,
    found,
    expected:
      "the CMD starts the app through its CLI launcher (fastify start …, as npm start does) and keeps running",
    hint:
      (npmStart ? undefined : launchHint(launch)) ??
      "Read the start script in package.json and the container's error. Which program does your CMD ask for, where does it live in the image, and how did npm find it?",
  };
};

export const nonRoot: Rule = ({ user }) => ({
  id: "non-root",
  title: "runs as a user that is not root",
  passed: user.uid > 0,
  found: `uid ${user.uid}${user.name ? ` (${user.name})` : ""}, ${user.source === "process" ? "of the running process" : "from the image's USER (the container was not running)"}`,
  expected: "a uid other than 0",
  hint: "Unless the image says otherwise, its container runs as root. Which instruction chooses the user, and does that user exist in the final stage?",
});

export const filesReadable: Rule = ({ workdir, user, run }) => {
  const ok = workdir.unreadable.length === 0;
  return {
    id: "files-readable",
    title: "the app can read its files",
    passed: ok && workdir.path !== "/" && run.docs.ok,
    found: !ok
      ? `${String(workdir.unreadable.length)} not readable by uid ${user.uid}: ${list(workdir.unreadable, 2)}`
      : workdir.path === "/"
        ? "no WORKDIR: could not tell which files are the app's"
        : `all ${String(workdir.entries)} entries in ${workdir.path} readable by uid ${user.uid}${run.docs.ok ? "" : ", but the API did not answer"}`,
    expected: `every file in the app's folder readable by the user it runs as, and the API answering`,
    hint: "COPY writes files owned by root unless told otherwise, with the permissions they had. Compare `ls -l` inside the image with the user from `id`: who may read what?",
  };
};

export const docsAnswers: Rule = ({ run, launch }) => {
  const { docs } = run;
  const last = logSummary(run.logTail);
  let found: string;
  let hint: string;
  if (docs.ok) {
    found = `GET /docs answered ${String(docs.status)} after ${docs.seconds.toFixed(1)} s`;
    hint = "";
  } else if (!run.started) {
    found = `the container did not start: ${run.startError ?? "unknown error"}`;
    hint =
      launchHint(launch) ??
      "The engine could not start the container's command. Read the error: which program did it look for?";
  } else if (!run.running) {
    found = `no answer; the container exited with code ${String(run.exitCode ?? "?")}${last ? `: ${last}` : ""}`;
    hint =
      launchHint(launch) ??
      "The container stopped before the API answered. Its last log lines are below: run the image yourself with docker run and read the first error.";
  } else if (docs.status !== undefined) {
    found = `GET /docs answered ${String(docs.status)}`;
    hint =
      "The API answers, but not with its documentation. Is the whole compiled app (dist/) in the image?";
  } else {
    found = `no answer on port 8000 within ${String(docs.timeout)} s (${docs.error ?? "no response"}), while the container kept running`;
    hint =
      "The container runs, but nothing answers from outside it. On which address and port does the API listen inside the container? 127.0.0.1 there is the container itself.";
  }
  return {
    id: "docs-answers",
    title: "the API answers /docs",
    passed: docs.ok,
    found,
    expected: `GET http://127.0.0.1:<port>/docs answers 200 within ${String(docs.timeout)} s (container port 8000)`,
    hint,
  };
};

/** How the image's size should compare with an earlier exercise's passing image. */
export interface SizeGoal {
  title: string;
  /** The earlier exercises to compare with, in order of preference. */
  compareWith: number[];
  /** passes(size, reference size) */
  passes: (size: number, reference: number) => boolean;
  expected: (reference: string) => string;
  hint: string;
}

export const sizeRule =
  (goal?: SizeGoal): Rule =>
  ({ image, previous }) => {
    const earlier = [...previous].sort((a, b) => a.exercise - b.exercise);
    const compared = earlier.length
      ? ` (${earlier.map((p) => `exercise ${String(p.exercise)}: ${formatSize(p.size)}`).join(", ")})`
      : "";
    const found = `${formatSize(image.size)}${compared}`;
    if (goal === undefined)
      return {
        id: "size",
        title: "size recorded",
        passed: true,
        found,
        expected: "recorded, to compare with the next exercises",
        hint: "",
      };
    const reference = goal.compareWith
      .map((n) => earlier.find((p) => p.exercise === n))
      .find((p) => p !== undefined);
    return {
      id: "size",
      title: goal.title,
      passed: reference === undefined || goal.passes(image.size, reference.size),
      found,
      expected: reference
        ? goal.expected(
            `your exercise ${String(reference.exercise)} image (${formatSize(reference.size)})`,
          )
        : `${goal.expected("your earlier images")}: none passed yet, run \`course check ${String(goal.compareWith[0])}\` to compare`,
      hint: goal.hint,
    };
  };

export const smallerThan = (compareWith: number[]): SizeGoal => ({
  title: "smaller than before",
  compareWith,
  passes: (size, reference) => size < reference,
  expected: (reference) => `smaller than ${reference}`,
  hint: "Everything the runtime stage installs or copies ships. `docker history` shows what each layer of the final stage adds: which of it does the running API never use?",
});

export const aboutTheSizeOf = (exercise: number): SizeGoal => ({
  title: "a user costs (almost) nothing",
  compareWith: [exercise],
  passes: (size, reference) => size <= reference * 1.05 + 5 * MB,
  expected: (reference) => `about the size of ${reference}: a user is a line in /etc/passwd`,
  hint: "A layer that changes files stores them again. `docker history` shows which layer grew: can the files get their owner when they are copied?",
});

// Exercise 4 is exercise 3 run as a user that is not root: it keeps every check of 3.
export const multiStage = [
  stages,
  nodePresent,
  npmAbsent,
  runtimeFiles,
  pathBin,
  launcherStarts,
  execForm,
];
