import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test, type TestContext } from "node:test";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { DATABASE, MICROSERVICES } from "@course/stack";
import { course, fixture, reportOf } from "../../tools/course/test/helper.ts";
import { docker, fetchWithin, needsDocker, run, waitFor } from "./docker.ts";

// linux/arm64, as Apple Silicon laptops run the kit, here under emulation (QEMU registered with
// binfmt_misc by .ci/binfmt.sh): the company service and the local database built for arm64 from
// the arm64 offline bases, their build stages on this machine's own platform, then run: /readyz
// and a create-read-delete round trip through the service into the database.

const PLATFORM = "linux/arm64";
const company = MICROSERVICES.find((service) => service.name === "company");
assert.ok(company, "the stack registry has the company service");

/**
 * The bases an arm64 build takes: the build stage's for this machine (BUILD_IMAGE), the runtimes
 * for arm64 (DISTROLESS_IMAGE_ARM64, and BUILD_IMAGE_ARM64 for exercise 3's Debian-based answer;
 * the classic image store keeps one platform per tag, so the arm64 stand-ins have names of their
 * own). Missing: a skip, or a failure in CI.
 */
function arm64Bases(t: TestContext) {
  const { BUILD_IMAGE, BUILD_IMAGE_ARM64, DISTROLESS_IMAGE_ARM64 } = process.env;
  if (BUILD_IMAGE && BUILD_IMAGE_ARM64 && DISTROLESS_IMAGE_ARM64)
    return { BUILD_IMAGE, BUILD_IMAGE_ARM64, DISTROLESS_IMAGE_ARM64 };
  const why =
    "BUILD_IMAGE, BUILD_IMAGE_ARM64 and DISTROLESS_IMAGE_ARM64 name no offline bases (.ci/run sets them)";
  if (process.env.COURSE_REQUIRE_DOCKER === "1")
    throw new Error(`COURSE_REQUIRE_DOCKER=1 but ${why}`);
  t.skip(why);
  return undefined;
}

test("company and the local database on linux/arm64", async (t) => {
  if (!(await needsDocker(t))) return;
  const bases = arm64Bases(t);
  if (bases === undefined) return;

  // Node's name for the engine's architecture, as npm picks optional dependencies by it.
  const engineArch = (await docker.version()).Arch;
  const native = engineArch === "amd64" ? "x64" : engineArch;
  // Removed last-made first: containers, then their network, then the images they ran.
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const built: Record<string, string> = {};
  for (const service of [company, DATABASE]) {
    const tag = `advanced-docker-test/${service.name}:arm64`;
    const args = [
      "build",
      "--progress=plain",
      "--platform",
      PLATFORM,
      "-f",
      service.dockerfile,
      "--build-arg",
      `BUILD_IMAGE=${bases.BUILD_IMAGE}`,
      "--build-arg",
      `DISTROLESS_IMAGE=${bases.DISTROLESS_IMAGE_ARM64}`,
    ];
    const log = await run("docker", [...args, "-t", tag, "."]);
    cleanups.push(() => docker.getImage(tag).remove());
    const image = await docker.getImage(tag).inspect();
    assert.equal(`${image.Os}/${image.Architecture}`, PLATFORM, `${tag} is an arm64 image`);
    // The runtime stage runs nothing (no RUN for arm64), and the build stage ran on this machine's
    // own platform: npm ci picked esbuild's binary for it, not arm64's.
    assert.doesNotMatch(log, /^#\d+ \[(linux\/arm64 )?(alpine|distroless) \d+\/\d+\] RUN /m);
    const stage = `${tag}-build`;
    await run("docker", [...args, "--target", "build", "-t", stage, "."]);
    cleanups.push(() => docker.getImage(stage).remove());
    const esbuild = await run("docker", [
      "run",
      "--rm",
      "--platform",
      PLATFORM,
      "--entrypoint",
      "ls",
      stage,
      "/src/node_modules/@esbuild",
    ]);
    assert.equal(esbuild.trim(), `linux-${native}`, "npm ci ran natively");
    built[service.name] = tag;
  }

  const suffix = randomUUID().slice(0, 8);
  const network = await docker.createNetwork({ Name: `advanced-docker-arm64-${suffix}` });
  cleanups.push(() => network.remove());
  const start = async (name: string, image: string, env: string[], port: number) => {
    const container = await docker.createContainer({
      name: `advanced-docker-arm64-${name}-${suffix}`,
      Image: image,
      platform: PLATFORM,
      Env: env,
      ExposedPorts: { [`${String(port)}/tcp`]: {} },
      HostConfig: {
        NetworkMode: network.id,
        PortBindings: { [`${String(port)}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "" },
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges:true"],
      },
      NetworkingConfig: { EndpointsConfig: { [network.id]: { Aliases: [name] } } },
    });
    cleanups.push(() => container.remove({ force: true }));
    await container.start();
    const info = await container.inspect();
    const host = info.NetworkSettings.Ports[`${String(port)}/tcp`]?.[0]?.HostPort;
    assert.ok(host, `${name}: port ${String(port)} published`);
    return { container, url: `http://127.0.0.1:${host}` };
  };

  const database = await start(DATABASE.name, built.cosmosdb ?? "", [], DATABASE.port);
  await waitFor(`${database.url}/`, 60_000);
  const service = await start(
    company.name,
    built.company ?? "",
    [
      `COSMOSDB_ENDPOINT_URL=http://${DATABASE.name}:${String(DATABASE.port)}`,
      `COSMOSDB_MASTER_KEY=${LOCAL_COSMOS_KEY}`,
    ],
    company.port,
  );
  const ready = await waitFor(`${service.url}/readyz`, 90_000);
  assert.equal(ready.response.status, 200);

  // The process really is arm64: Node's own answer, through the image's node.
  const exec = await service.container.exec({
    Cmd: ["/nodejs/bin/node", "-p", "process.arch"],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => stream.on("end", resolve));
  assert.match(Buffer.concat(chunks).toString("utf8"), /arm64/);

  const body = { name: "Arm test", industry: "Processors", country: "GB", founded: 1990 };
  const created = await fetchWithin(`${service.url}/companies`, 30_000, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(created.response.status, 201, created.body);
  const location = created.response.headers.get("location") ?? "";
  const { id } = JSON.parse(created.body) as { id: string };
  assert.ok(location.endsWith(`/companies/${id}`), `Location ${location} names ${id}`);
  const read = await fetchWithin(`${service.url}/companies/${id}`, 30_000);
  assert.equal(read.response.status, 200, read.body);
  assert.deepEqual(JSON.parse(read.body), { id, ...body });
  const removed = await fetchWithin(`${service.url}/companies/${id}`, 30_000, {
    method: "DELETE",
  });
  assert.equal(removed.response.status, 204, removed.body);
  const gone = await fetchWithin(`${service.url}/companies/${id}`, 30_000);
  assert.equal(gone.response.status, 404);
});

test("course check 3 --platform linux/arm64 passes a Debian-based answer", async (t) => {
  if (!(await needsDocker(t))) return;
  const bases = arm64Bases(t);
  if (bases === undefined) return;
  // The reference answer is Alpine's, which cannot be fetched here; this one is the same answer on
  // the Debian-based stand-in, both stages arm64 as a trainee's file without --platform has them.
  const tag = "advanced-docker-test/ex3:arm64";
  t.after(() =>
    docker
      .getImage(tag)
      .remove()
      .catch(() => undefined),
  );
  const result = await course(
    [
      "check",
      "3",
      "--platform",
      PLATFORM,
      "--file",
      fixture("ex3-pass.Dockerfile"),
      "--timeout",
      "180",
      "--tag",
      tag,
    ],
    { env: { BUILD_IMAGE: bases.BUILD_IMAGE_ARM64 } },
  );
  assert.equal(result.code, 0, reportOf(result.stdout) || result.stdout + result.stderr);
  assert.match(reportOf(result.stdout), /^Exercise 3:/);
  const image = await docker.getImage(tag).inspect();
  assert.equal(`${image.Os}/${image.Architecture}`, PLATFORM, "the checked image is arm64");
});
