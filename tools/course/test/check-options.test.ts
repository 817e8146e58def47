import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { baseImages, docker, needsDocker } from "../../../test/containers/docker.ts";
import { course } from "./helper.ts";

// What `course check` is given: --timeout in whole seconds (compose's --wait-timeout takes no
// fraction), and a --tag that is not the name of a compose project or stack already here, which
// the check would take down when it ends.

test("--timeout takes whole seconds above 0, with one line saying so", async () => {
  for (const value of ["1.5", "0", "ten"]) {
    const result = await course(["check", "5", "--timeout", value]);
    assert.notEqual(result.code, 0, value);
    // commander's one line, then the command's usage (as for every bad option); no stack trace
    assert.match(result.stderr.split("\n")[0] ?? "", /--timeout.*whole seconds/, value);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  }
});

for (const [exercise, label, what, file] of [
  [
    5,
    "com.docker.compose.project",
    /the compose project/,
    "solutions/05-compose-employees/compose.yaml",
  ],
  [6, "com.docker.stack.namespace", /the stack/, "deploy/swarm/stack.yaml"],
] as const) {
  test(`check ${String(exercise)} --tag: a ${label} already here is refused and stays`, async (t) => {
    if (!(await needsDocker(t))) return;
    const name = `course-test-tag-${randomBytes(3).toString("hex")}`;
    const image = baseImages.DISTROLESS_IMAGE ?? "gcr.io/distroless/nodejs24-debian12:nonroot";
    const container = await docker.createContainer({ Image: image, Labels: { [label]: name } });
    t.after(() => container.remove({ force: true }));
    const result = await course(["check", String(exercise), "--file", file, "--tag", name]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, what);
    assert.match(result.stdout + result.stderr, new RegExp(`--tag ${name}`));
    await container.inspect(); // still there
  });
}
