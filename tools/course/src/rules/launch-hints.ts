import type { Facts, LaunchCause } from "../facts/image-types.ts";

// What the trainee should look at when the app's launcher cannot start, by the cause read from
// the image's files (facts/launch.ts).

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

export const launchHint = (launch: Facts["launch"]) =>
  launch.cause === undefined ? undefined : LAUNCH_HINTS[launch.cause](launch.path ?? "");
