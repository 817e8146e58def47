import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOM_ROUTES, type ImageIndex, type RoomState } from "@course/room";
import { checkBody } from "../../room/test/helper.ts";
import { freePort } from "../../room/test/process.ts";
import { docker, needsDocker, run } from "./docker.ts";

// room/compose.yaml as a trainer runs it: the room's container comes up healthy, read-only, as a
// non-root user with no capabilities; SQLite works in the distroless runtime; its data outlives a
// restart in the volume; the class images from the mounted folder are served.

const project = "room-container-test";

test("room/compose.yaml: the room runs healthy, hardened, and keeps its data", async (t) => {
  if (!(await needsDocker(t))) return;
  const images = mkdtempSync(join(tmpdir(), "room-images-"));
  const archive = Buffer.from("not really an image archive, but bytes to serve");
  writeFileSync(join(images, "class.tar"), archive);
  // The room's user in the container (65532) reads the mounted folder: a temporary one is private.
  chmodSync(images, 0o755);
  const port = await freePort();
  const env = {
    ...process.env,
    ROOM_HOST: "127.0.0.1",
    ROOM_PORT: String(port),
    ROOM_CODE: "DOCK42",
    ROOM_IMAGES_DIR: images,
  };
  const compose = (...args: string[]) =>
    run("docker", ["compose", "-p", project, "-f", "room/compose.yaml", ...args], { env });
  t.after(async () => {
    await compose("down", "--volumes", "--timeout", "5");
    rmSync(images, { recursive: true, force: true });
  });
  await compose("up", "--detach", "--build", "--wait", "--wait-timeout", "90");

  const [summary] = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  assert.ok(summary, "the room's container runs");
  const info = await docker.getContainer(summary.Id).inspect();
  assert.equal(info.State.Health?.Status, "healthy");
  assert.equal(info.HostConfig.ReadonlyRootfs, true, "read-only root filesystem");
  assert.equal(info.Config.User, "65532:65532", "non-root");
  assert.deepEqual(info.HostConfig.CapDrop, ["ALL"]);
  assert.ok(((info.HostConfig.SecurityOpt ?? []) as string[]).includes("no-new-privileges:true"));
  assert.equal(info.HostConfig.Init, true);
  assert.ok((info.HostConfig.Memory ?? 0) > 0 && (info.HostConfig.PidsLimit ?? 0) > 0, "limits");
  assert.ok(info.Mounts.some((m) => m.Destination === "/data" && m.Type === "volume"));

  const base = `http://127.0.0.1:${String(port)}`;
  const index = (await (await fetch(`${base}${ROOM_ROUTES.images}`)).json()) as ImageIndex;
  assert.deepEqual(index.archives, [
    {
      name: "class.tar",
      size: archive.length,
      sha256: createHash("sha256").update(archive).digest("hex"),
    },
  ]);
  const joined = await fetch(`${base}${ROOM_ROUTES.join}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: "DOCK42", name: "Ada" }),
  });
  assert.equal(joined.status, 201);
  const { token } = (await joined.json()) as { token: string };
  const body = checkBody(4, "non-root");
  const stored = await fetch(`${base}${ROOM_ROUTES.reports}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...body, id: randomUUID() }),
  });
  assert.equal(stored.status, 202, "SQLite writes in the distroless runtime");

  // The trainer's key is in the room's log (the trainer's own container), and the data in the volume.
  const logs = await compose("logs", "room");
  const key = /"page":"\/\?key=([\w-]+)"/.exec(logs)?.[1];
  assert.ok(key, "the log names the trainer's page");
  await compose("restart", "--timeout", "5", "room");
  await compose("up", "--detach", "--wait", "--wait-timeout", "60");
  const state = await fetch(`${base}${ROOM_ROUTES.state}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(state.status, 200, "the same key after a restart");
  const { cells } = (await state.json()) as RoomState;
  assert.equal(
    cells.find((c) => c.exercise === 4)?.status,
    "failing",
    "the result outlived the restart",
  );
});
