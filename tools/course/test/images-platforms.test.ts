import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { test } from "node:test";
import Docker from "dockerode";
import { docker, needsDocker } from "../../../test/containers/docker.ts";
import {
  compatManifest,
  describeArchive,
  platformsOf,
  readArchive,
  withManifest,
} from "../src/commands/images/archive.ts";
import { course, needsOfflineBases, needsSecondEngine } from "./helper.ts";

// One bundle for a room of Intel and Apple Silicon laptops, on both image stores: the offline bases
// are served for linux/amd64 and linux/arm64 by a local registry, as Docker Hub serves its images,
// to a second engine with the containerd store (.ci/containerd-store.sh); the shared engine keeps
// the classic store. The names the registry serves are this test's own on both engines.

const arm64 = { os: "linux", architecture: "arm64" };

test(
  "images save and load for a mixed room, on the containerd and the classic store",
  {
    timeout: 15 * 60_000,
  },
  async (t) => {
    if (!(await needsDocker(t))) return;
    const bases = needsOfflineBases(t);
    const env = needsSecondEngine(t);
    if (!bases || !env) return;
    const second = { registry: env.COURSE_REGISTRY, host: env.COURSE_CONTAINERD_HOST };
    const containerd = new Docker({ socketPath: second.host.slice("unix://".length) });
    const info = (await containerd.info()) as { DriverStatus?: [string, string][] };
    assert.match(JSON.stringify(info.DriverStatus), /io\.containerd\.snapshotter/);

    const served = {
      BUILD_IMAGE: `${second.registry}/${bases.BUILD_IMAGE}`,
      DISTROLESS_IMAGE: `${second.registry}/${bases.DISTROLESS_IMAGE}`,
    };
    const names = Object.values(served);
    const ids = new Map<string, string>();
    for (const [variable, name] of Object.entries(served))
      ids.set(name, (await docker.getImage(bases[variable as keyof typeof bases]).inspect()).Id);
    // The catalogue, as a class with these bases has it: what load accepts.
    const classEnv = { ...served, ALPINE_IMAGE: "" };
    const onContainerd = { ...classEnv, DOCKER_HOST: second.host };
    const remove = async (engine: Docker) => {
      for (const name of names)
        await engine
          .getImage(name)
          .remove({ force: true })
          .catch(() => undefined);
    };
    const absent = async (engine: Docker) => {
      for (const name of names)
        await assert.rejects(engine.getImage(name).inspect(), `${name} is not on the engine`);
    };
    const dir = mkdtempSync(join(tmpdir(), "course-bundle-"));
    t.after(async () => {
      await remove(docker);
      await remove(containerd);
      rmSync(dir, { recursive: true, force: true });
    });
    await remove(docker);
    await remove(containerd);
    const files = () => readdirSync(dir).sort();
    const stderrOf = (run: { stderr: string }) =>
      run.stderr
        .split("\n")
        .filter((line) => line && !line.startsWith("npm warn"))
        .join("\n");

    await t.test(
      "the classic store refuses two platforms, says why and writes nothing",
      async () => {
        const run = await course(["images", "save", join(dir, "classic.tar"), "--image", ...names]);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(stderrOf(run), /classic image store.*linux\/arm64.*containerd image store/);
        assert.deepEqual(files(), []);
      },
    );

    const room = join(dir, "room.tar");
    await t.test("the containerd store writes both platforms of every image", async () => {
      const run = await course(["images", "save", room, "--image", ...names], {
        env: onContainerd,
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const images = describeArchive(await readArchive(room));
      assert.deepEqual(
        images.map((image) => [image.name, platformsOf(image)]),
        names.sort().map((name) => [name, ["linux/amd64", "linux/arm64"]]),
      );
      for (const image of images) {
        const amd64 = image.variants.find((v) => v.platform.architecture === "amd64");
        assert.equal(
          amd64?.config.replace("blobs/sha256/", "sha256:"),
          ids.get(image.name),
          `${image.name}'s linux/amd64 image is the offline base (run .ci/containerd-store.sh after rebuilding the bases)`,
        );
      }
      assert.deepEqual(files(), ["room.tar"]);
    });

    // An engine older than API 1.48 (Docker Engine 26 and 27) has no --platform on save and load.
    // DOCKER_API_VERSION holds the docker CLI and this command to such an API on this engine: the
    // CLI then refuses `--platform` as an older engine would.
    const olderApi = { DOCKER_API_VERSION: "1.47" };
    await t.test(
      "an API before 1.48 refuses a chosen platform, says why, writes nothing",
      async () => {
        const run = await course(
          ["images", "save", join(dir, "old-api.tar"), "--image", ...names],
          {
            env: { ...onContainerd, ...olderApi },
          },
        );
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(
          stderrOf(run),
          /DOCKER_API_VERSION=1\.47 .*needs 1\.48.*Unset DOCKER_API_VERSION/,
        );
        assert.deepEqual(files(), ["room.tar"]);
      },
    );

    await t.test("an archive that would lack a platform is not written", async () => {
      await remove(containerd);
      for (const name of names)
        execFileSync("docker", [
          "-H",
          second.host,
          "pull",
          "-q",
          "--platform",
          "linux/amd64",
          name,
        ]);
      const run = await course(
        ["images", "save", join(dir, "partial.tar"), "--no-pull", "--image", ...names],
        { env: onContainerd },
      );
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(stderrOf(run), /nothing written/);
      assert.deepEqual(files(), ["room.tar"], "no archive, no partial file");
    });

    await t.test("an interrupted save leaves the previous archive whole and no other", async () => {
      const target = join(dir, "previous.tar");
      writeFileSync(target, "the archive of an earlier class\n");
      let kill: ((signal: NodeJS.Signals) => void) | undefined;
      const running = course(
        ["images", "save", target, "--platform", "linux/amd64", "--no-pull", "--image", ...names],
        { env: onContainerd, onSpawn: (k) => (kill = k) },
      );
      const deadline = Date.now() + 120_000;
      while (!files().some((name) => name.endsWith(".partial")) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      kill?.("SIGINT");
      const run = await running;
      assert.equal(run.code, 130, run.stdout + run.stderr);
      assert.equal(readFileSync(target, "utf8"), "the archive of an earlier class\n");
      assert.deepEqual(files(), ["previous.tar", "room.tar"]);
    });

    await t.test("each store loads its own platform from the room's archive", async () => {
      await remove(containerd);
      const there = await course(["images", "load", room], { env: onContainerd });
      assert.equal(there.code, 0, there.stdout + there.stderr);
      const here = await course(["images", "load", room], { env: classEnv });
      assert.equal(here.code, 0, here.stdout + here.stderr);
      for (const name of names) {
        assert.equal((await containerd.getImage(name).inspect()).Architecture, "amd64");
        assert.equal((await docker.getImage(name).inspect()).Id, ids.get(name), name);
      }
    });

    await t.test("an API before 1.48 loads this laptop's platform all the same", async () => {
      await remove(docker);
      const run = await course(["images", "load", room], { env: { ...classEnv, ...olderApi } });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      for (const name of names)
        assert.equal((await docker.getImage(name).inspect()).Id, ids.get(name), name);
    });

    await t.test(
      "a bundle written on an arm64 machine loads amd64 on the classic store",
      async () => {
        // Such a bundle's manifest.json (all the classic store reads) names the arm64 images.
        const images = describeArchive(await readArchive(room));
        const written = join(dir, "written-on-arm64.tar");
        await pipeline(
          await withManifest(room, compatManifest(images, arm64)),
          createWriteStream(written),
        );
        await remove(docker);
        const run = await course(["images", "load", written], { env: classEnv });
        assert.equal(run.code, 0, run.stdout + run.stderr);
        for (const name of names)
          assert.equal((await docker.getImage(name).inspect()).Id, ids.get(name), name);
      },
    );

    await t.test(
      "an archive without this laptop's platform is refused, nothing loaded",
      async () => {
        const arm = join(dir, "arm64.tar");
        const saved = await course(
          ["images", "save", arm, "--platform", "linux/arm64", "--image", ...names],
          { env: onContainerd },
        );
        assert.equal(saved.code, 0, saved.stdout + saved.stderr);
        await remove(docker);
        const run = await course(["images", "load", arm], { env: classEnv });
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(
          stderrOf(run),
          /no linux\/amd64 image .*it holds linux\/arm64.*Nothing was loaded/,
        );
        await absent(docker);
      },
    );

    await t.test(
      "images outside the class's list are named before anything is loaded",
      async () => {
        const run = await course(["images", "load", room]);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        const message = stderrOf(run);
        assert.match(message, /outside the class's list/);
        for (const name of names) assert.ok(message.includes(name), name);
        await absent(docker);
        assert.ok(existsSync(room));
      },
    );
  },
);
