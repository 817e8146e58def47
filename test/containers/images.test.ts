import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Readable } from "node:stream";
import { extract } from "tar-stream";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { baseImages, buildImage, docker, needsDocker, root, services, waitFor } from "./docker.ts";

// Every image, built as CI builds it and read through the Engine API: non-root, healthchecked,
// exec-form, nothing in it that the runtime does not need, nothing from .env, small, quick to stop.

const FORBIDDEN =
  /(^|\/)(s?bin\/(sh|bash|dash|ash|busybox)|bin\/(npm|npx|yarn|pnpm|apt|apt-get|dpkg|apk|corepack))$/;
const MAX_ADDED_BYTES = 5 * 1024 * 1024;

interface Entry {
  name: string;
  mode: number;
}

/** Lists a container's files and whether any file's content holds `needle`. */
async function exportFilesystem(containerId: string, needle: string) {
  const stream = (await docker.getContainer(containerId).export()) as unknown as Readable;
  const entries: Entry[] = [];
  const holding: string[] = [];
  const tar = extract();
  tar.on("entry", (header, content, next) => {
    entries.push({ name: header.name, mode: header.mode });
    const chunks: Buffer[] = [];
    content.on("data", (chunk: unknown) => {
      chunks.push(chunk as Buffer);
    });
    content.on("end", () => {
      if (Buffer.concat(chunks).includes(needle)) holding.push(header.name);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    tar.on("finish", () => {
      resolve();
    });
    tar.on("error", reject);
    stream.pipe(tar);
  });
  return { entries, holding };
}

async function publishedPort(containerId: string, port: number) {
  const info = await docker.getContainer(containerId).inspect();
  const binding = info.NetworkSettings.Ports[`${port}/tcp`]?.[0];
  assert.ok(binding, `port ${port} published`);
  return Number(binding.HostPort);
}

test("service images", async (t) => {
  if (!(await needsDocker(t))) return;
  const canary = `canary-${randomUUID()}`;
  // .env files in the build context must never reach an image: plant one where a user's would be.
  const planted = [join(root, "services/company/.env"), join(root, ".env")].filter(
    (path) => !existsSync(path),
  );
  for (const path of planted) writeFileSync(path, `COSMOSDB_MASTER_KEY=${canary}\n`);
  t.after(() => {
    for (const path of planted) rmSync(path, { force: true });
  });

  const base = await docker
    .getImage(baseImages.DISTROLESS_IMAGE ?? "gcr.io/distroless/nodejs24-debian13:nonroot")
    .inspect();
  const sizes: string[] = [];

  for (const service of services) {
    await t.test(service.name, async (t) => {
      const tag = await buildImage(service.dockerfile, `advanced-docker-test/${service.name}:ci`);
      const image = await docker.getImage(tag).inspect();
      const config = image.Config;

      assert.ok(
        !["", "0", "root", "0:0", "root:root"].includes(config.User),
        `User is "${config.User}"`,
      );
      const check = config.Healthcheck?.Test ?? [];
      assert.ok(check.length > 1 && check[0] !== "NONE", "a HEALTHCHECK is defined");
      assert.equal(check[0], "CMD", "the healthcheck is exec form (no shell)");
      const entrypoint = config.Entrypoint ?? [];
      const command = [...(Array.isArray(entrypoint) ? entrypoint : [entrypoint]), ...config.Cmd];
      assert.ok(command.length > 0);
      assert.notEqual(command[0], "/bin/sh", `exec form, got ${command.join(" ")}`);
      assert.ok(
        !/\bnp[mx]$/.test(command[0] ?? ""),
        `does not start with npm: ${command.join(" ")}`,
      );
      for (const key of ["title", "source", "version", "description"]) {
        assert.ok(
          config.Labels[`org.opencontainers.image.${key}`],
          `label org.opencontainers.image.${key}`,
        );
      }

      const added = image.Size - base.Size;
      sizes.push(
        `${service.name}: ${(image.Size / 1e6).toFixed(1)} MB, ${(added / 1e6).toFixed(2)} MB above its base`,
      );
      t.diagnostic(sizes.at(-1) ?? "");
      assert.ok(added <= MAX_ADDED_BYTES, `${service.name} adds ${added} bytes to its base`);

      const history = (await docker.getImage(tag).history()) as unknown;
      assert.ok(
        !JSON.stringify(history).includes(canary),
        "the .env canary is not in the image history",
      );

      const container = await docker.createContainer({
        Image: tag,
        Env: [
          `COSMOSDB_ENDPOINT_URL=http://127.0.0.1:1`,
          `COSMOSDB_MASTER_KEY=${LOCAL_COSMOS_KEY}`,
          "COMPANY_SERVICE_URL=http://127.0.0.1:1",
          "DEPARTMENT_SERVICE_URL=http://127.0.0.1:1",
        ],
        ExposedPorts: { [`${service.port}/tcp`]: {} },
        HostConfig: {
          PortBindings: { [`${service.port}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
        },
      });
      t.after(() => container.remove({ force: true }));
      const { entries, holding } = await exportFilesystem(container.id, canary);
      assert.deepEqual(holding, [], "no file holds the .env canary");
      const names = entries.map((entry) => entry.name);
      assert.deepEqual(
        names.filter((name) => FORBIDDEN.test(name)),
        [],
        "no shell or package manager",
      );
      assert.deepEqual(
        names.filter((name) => /(^|\/)node_modules\//.test(name)),
        [],
        "no node_modules at all",
      );
      assert.deepEqual(
        names.filter((name) => /typescript|\.ts$/.test(name)),
        [],
        "no TypeScript or sources",
      );
      const special = entries
        .filter((entry) => (entry.mode & 0o6000) !== 0)
        .map((entry) => entry.name);
      assert.deepEqual(special, [], "no setuid or setgid files");

      await container.start();
      const port = await publishedPort(container.id, service.port);
      const path = service.name === "cosmosdb" ? "/" : "/healthz";
      await waitFor(`http://127.0.0.1:${port}${path}`, 10_000);
      if (service.name !== "cosmosdb") {
        const ui = await waitFor(`http://127.0.0.1:${port}/docs/static/swagger-ui-bundle.js`, 2000);
        assert.ok(ui.body.length > 100_000, "Swagger UI's files load from the bundle");
      }
      const top = (await container.top({ ps_args: "-o pid,uid,args" })) as {
        Processes: string[][];
      };
      const uids = top.Processes.map((row) => Number(row[1]));
      assert.ok(
        uids.length > 0 && uids.every((uid: number) => uid !== 0),
        `processes run as ${uids.join(", ")}`,
      );

      const started = Date.now();
      await container.stop({ t: 10 });
      const stopMs = Date.now() - started;
      const state = (await container.inspect()).State;
      t.diagnostic(`docker stop took ${stopMs} ms, exit code ${state.ExitCode}`);
      assert.equal(state.ExitCode, 0, "stopped cleanly, not killed");
      assert.ok(stopMs < 2000, `docker stop took ${stopMs} ms`);
    });
  }
  t.diagnostic(sizes.join("; "));
});
