import type { Facts, ImageFacts } from "../facts/image-types.ts";
import type { Rule, Verdict } from "../lib/contract.ts";
import { list } from "../lib/format.ts";
import { logSummary } from "../lib/log.ts";
import { launchHint } from "./launch-hints.ts";

// The rules of the image exercises (1 to 4): pure functions of the facts read from a built image
// and a running container. The catalogue (../catalogue.ts) says which exercise uses which.

export type ImageId =
  | "build"
  | "os-alpine"
  | "node-present"
  | "node-apk"
  | "node-official"
  | "exec-form"
  | "stages"
  | "npm-absent"
  | "runtime-files"
  | "path-bin"
  | "launcher-starts"
  | "non-root"
  | "files-readable"
  | "docs-answers"
  | "size";

export type ImageRule = Rule<ImageFacts, ImageId>;

/** `docker build` (BuildKit) succeeds: every other check reads the image it built. */
export const built: ImageRule = {
  id: "build",
  title: "the image builds",
  failedMeans: "the image did not build",
  judge: ({ build }) => ({
    passed: build.ok,
    found: build.ok ? `built in ${build.seconds.toFixed(1)} s` : build.error,
    expected: "docker build succeeds",
    hint: build.hint,
  }),
};

/** A rule about the built image: judged once the build passed and the image could be read. */
export const onImage = (rule: {
  id: ImageId;
  title: string;
  judge: (facts: Facts) => Verdict;
}): ImageRule => ({
  id: rule.id,
  title: rule.title,
  needs: ["build"],
  judge: ({ image }) =>
    image === undefined
      ? { unjudged: "the image could not be run", first: "build" }
      : rule.judge(image),
});

/** The image is Alpine; the hint says which Alpine image the exercise starts from. */
export const osAlpine = (hint: string) =>
  onImage({
    id: "os-alpine",
    title: "based on Alpine Linux",
    judge: ({ os }) => ({
      passed: os.id === "alpine",
      found: os.id ? `${os.name ?? os.id} (ID=${os.id} in /etc/os-release)` : "no /etc/os-release",
      expected: "Alpine Linux (ID=alpine in /etc/os-release)",
      hint,
    }),
  });

export const nodePresent = onImage({
  id: "node-present",
  title: "Node.js is in the image",
  judge: ({ node, path }) => ({
    passed: node.paths.length > 0,
    found:
      node.onPath !== undefined
        ? `node at ${node.onPath}`
        : node.paths.length > 0
          ? `node at ${list(node.paths)} (not on PATH)`
          : `no node executable (PATH=${path.join(":")})`,
    expected: "a node executable",
    hint: "The API is JavaScript: the image that runs it needs Node.js. Which package, or which base image, brings it?",
  }),
});

export const nodeFromApk = onImage({
  id: "node-apk",
  title: "Node.js installed with apk",
  judge: ({ node, apkPackages }) => ({
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
  }),
});

export const nodeOfficial = onImage({
  id: "node-official",
  title: "Node.js from the official image",
  judge: ({ node }) => ({
    passed: node.official,
    found: node.official
      ? "node at /usr/local/bin/node with NODE_VERSION set"
      : node.fromApk
        ? "node from Alpine's nodejs package (/usr/bin/node), added by hand"
        : `node at ${list(node.paths) || "nowhere"}`,
    expected:
      "the Node.js build of the official node image (/usr/local/bin/node, NODE_VERSION set)",
    hint: "Exercise 2 lets the Node.js team maintain Node.js for you: start from an image that already has it instead of adding it yourself.",
  }),
});

export const execForm = onImage({
  id: "exec-form",
  title: "CMD in exec form",
  judge: ({ command }) => ({
    passed: !command.shellForm && command.argv.length > 0,
    found:
      command.argv.length === 0
        ? "no CMD or ENTRYPOINT"
        : command.shellForm
          ? `shell form: ${command.argv.map((a) => JSON.stringify(a)).join(" ")}`
          : `exec form: ${JSON.stringify(command.argv)}`,
    expected: "exec form (a JSON array), so that the app is PID 1 and receives SIGTERM",
    hint: "The shell form starts /bin/sh -c, and the shell does not pass docker stop's signal on to the app. Which form of CMD starts the program itself?",
  }),
});

export const stages = onImage({
  id: "stages",
  title: "a build stage and a runtime stage",
  judge: ({ stages }) => ({
    passed: (stages?.count ?? 0) >= 2,
    found:
      stages === undefined
        ? "the Dockerfile could not be read"
        : `${stages.count} stage${stages.count === 1 ? "" : "s"}: ${stages.list.map((s) => `${s.name} (FROM ${s.from})`).join(", ")}`,
    expected: "at least 2 stages: one that builds, one that only runs",
    hint: "Each FROM starts a new stage, and only the last one becomes the image. What does the build need that the running API does not?",
  }),
});

export const npmAbsent = onImage({
  id: "npm-absent",
  title: "no npm in the final image",
  judge: ({ npm }) => ({
    passed: npm.length === 0,
    found: npm.length === 0 ? "no npm" : `npm at ${list(npm)}`,
    expected: "no npm anywhere in the final image",
    hint: "The final image is the last stage only. Did its base image bring npm along, or did an instruction of that stage install or copy it?",
  }),
});

export const runtimeFiles = onImage({
  id: "runtime-files",
  title: "only what runs is copied",
  judge: ({ workdir }) => ({
    passed: workdir.path !== "/" && workdir.extras.length === 0,
    found:
      workdir.path === "/"
        ? "no WORKDIR: the app's files are in /"
        : workdir.extras.length === 0
          ? `${workdir.path} holds no sources, build configuration or dev dependencies`
          : `in ${workdir.path}: ${list(workdir.extras, 5)}`,
    expected: "the compiled code, the production dependencies and package.json only",
    hint: "The runtime stage gets only what you copy from the build stage. What does the API need at run time, and what was only needed to compile it?",
  }),
});

export const pathBin = onImage({
  id: "path-bin",
  title: "PATH finds the app's launchers",
  judge: ({ path, workdir }) => {
    const bins = path.filter((dir) => /(^|\/)node_modules\/\.bin$/.test(dir));
    return {
      passed: bins.length > 0,
      found: `PATH=${path.join(":")}`,
      expected: `PATH includes ${workdir.path === "/" ? "" : workdir.path}/node_modules/.bin`,
      hint: "`npm start` finds fastify although it is not installed system-wide: npm changes one variable before it runs a script. Without npm in the image, who makes that change?",
    };
  },
});

export const launcherStarts = onImage({
  id: "launcher-starts",
  title: "the CLI launcher starts the API",
  judge: ({ command, run, path, launch }) => {
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
    if (!run.started)
      found += `; the container did not start: ${run.startError ?? "unknown error"}`;
    else if (!runs)
      found += `; the container exited with code ${String(run.exitCode ?? "?")}${run.logTail.length ? `: ${logSummary(run.logTail) ?? ""}` : ""}`;
    else if (run.process) found += `; running: ${run.process.command}`;
    return {
      passed: command.launcher && !npmStart && runs,
      found,
      expected:
        "the CMD starts the app through its CLI launcher (fastify start …, as npm start does) and keeps running",
      hint:
        (npmStart ? undefined : launchHint(launch)) ??
        "Read the start script in package.json and the container's error. Which program does your CMD ask for, where does it live in the image, and how did npm find it?",
    };
  },
});

export const nonRoot = onImage({
  id: "non-root",
  title: "runs as a user that is not root",
  judge: ({ user }) => ({
    passed: user.uid > 0,
    found: `uid ${user.uid}${user.name ? ` (${user.name})` : ""}, ${user.source === "process" ? "of the running process" : "from the image's USER (the container was not running)"}`,
    expected: "a uid other than 0",
    hint: "Unless the image says otherwise, its container runs as root. Which instruction chooses the user, and does that user exist in the final stage?",
  }),
});

export const filesReadable = onImage({
  id: "files-readable",
  title: "the app can read its files",
  judge: ({ workdir, user, run }) => {
    const ok = workdir.unreadable.length === 0;
    return {
      passed: ok && workdir.path !== "/" && run.docs.ok,
      found: !ok
        ? `${String(workdir.unreadable.length)} not readable by uid ${user.uid}: ${list(workdir.unreadable, 2)}`
        : workdir.path === "/"
          ? "no WORKDIR: could not tell which files are the app's"
          : `all ${String(workdir.entries)} entries in ${workdir.path} readable by uid ${user.uid}${run.docs.ok ? "" : ", but the API did not answer"}`,
      expected: `every file in the app's folder readable by the user it runs as, and the API answering`,
      hint: "COPY writes files owned by root unless told otherwise, with the permissions they had. Compare `ls -l` inside the image with the user from `id`: who may read what?",
    };
  },
});

export const docsAnswers = onImage({
  id: "docs-answers",
  title: "the API answers /docs",
  judge: ({ run, launch }) => {
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
      passed: docs.ok,
      found,
      expected: `GET http://127.0.0.1:<port>/docs answers 200 within ${String(docs.timeout)} s (container port 8000)`,
      hint,
    };
  },
});

// Exercise 4 is exercise 3 run as a user that is not root: it keeps every check of 3.
export const multiStage: ImageRule[] = [
  stages,
  nodePresent,
  npmAbsent,
  runtimeFiles,
  pathBin,
  launcherStarts,
  execForm,
];
