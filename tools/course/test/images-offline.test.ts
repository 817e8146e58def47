import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { docker, needsDocker, run, services } from "../../../test/containers/docker.ts";
import { course, needsOfflineBases, stateDir } from "./helper.ts";

// A class day after `images load`: the bases saved into one archive, removed, loaded back, and
// then every service image and `course sizes --offline` built with no pull at all. The engine is
// shared, so the offline bases are saved under names of this test's own (the names the archive
// carries and the builds use): removing those takes nothing from anyone else, and the bases keep
// their names and IDs throughout.

const prefix = `course-zeropull-${String(process.pid)}`;

test(
  "after images load, the services and sizes --offline build with zero pulls",
  {
    timeout: 20 * 60_000,
  },
  async (t) => {
    if (!(await needsDocker(t))) return;
    const bases = needsOfflineBases(t);
    if (bases === undefined) return;
    const ids = new Map<string, string>();
    for (const image of Object.values(bases))
      ids.set(image, (await docker.getImage(image).inspect()).Id);
    const aliases = {
      BUILD_IMAGE: `${prefix}/build:1`,
      DISTROLESS_IMAGE: `${prefix}/distroless:1`,
    };
    const built: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "course-zeropull-"));
    const archive = join(dir, "class-images.tar");

    // The engine keeps its events: read back every pull from the test's start to its end.
    const since = Math.floor(Date.now() / 1000) - 1;
    const pullsSince = async () => {
      const until = Math.ceil(Date.now() / 1000) + 1;
      const stream = await docker.getEvents({
        since,
        until,
        filters: { type: ["image"], event: ["pull"] },
      });
      let text = "";
      for await (const chunk of stream) text += String(chunk);
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id?: string }).id ?? line);
    };
    t.after(async () => {
      for (const tag of [...built, ...Object.values(aliases)])
        await docker
          .getImage(tag)
          .remove()
          .catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      for (const [image, id] of ids)
        assert.equal((await docker.getImage(image).inspect()).Id, id, `${image} keeps its ID`);
    });

    for (const name of ["BUILD_IMAGE", "DISTROLESS_IMAGE"] as const)
      await run("docker", ["tag", bases[name], aliases[name]]);
    const env = { ...aliases, ALPINE_IMAGE: "", COURSE_STATE_DIR: stateDir(t) };

    const { Os, Arch } = await docker.version();
    const saved = await course(
      [
        ...["images", "save", archive, "--platform", `${Os}/${Arch}`, "--no-pull"],
        ...["--image", ...Object.values(aliases)],
      ],
      { env },
    );
    assert.equal(saved.code, 0, saved.stdout + saved.stderr);
    for (const alias of Object.values(aliases)) await run("docker", ["rmi", alias]);

    const loaded = await course(["images", "load", archive], { env });
    assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
    for (const name of ["BUILD_IMAGE", "DISTROLESS_IMAGE"] as const)
      assert.equal(
        (await docker.getImage(aliases[name]).inspect()).Id,
        ids.get(bases[name]),
        `${aliases[name]} is back from the archive`,
      );

    for (const service of services) {
      const tag = `${prefix}/${service.name}:1`;
      built.push(tag);
      await run("docker", [
        "build",
        "-f",
        service.dockerfile,
        "-t",
        tag,
        "--target",
        "distroless",
        "--build-arg",
        `BUILD_IMAGE=${aliases.BUILD_IMAGE}`,
        "--build-arg",
        `DISTROLESS_IMAGE=${aliases.DISTROLESS_IMAGE}`,
        ".",
      ]);
    }

    const out = join(dir, "sizes");
    const sizes = await course(["sizes", "--offline", "--out", out], { env });
    assert.equal(sizes.code, 0, sizes.stdout + sizes.stderr);
    assert.doesNotMatch(sizes.stdout, /could not build/);

    assert.deepEqual(await pullsSince(), [], "nothing was pulled");
  },
);
