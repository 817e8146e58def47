import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { docker, needsDocker, run } from "../../../test/containers/docker.ts";
import { joinRoom } from "../src/lib/room-client.ts";
import { course, fixture } from "./helper.ts";
import { openRoom, readRoomState, tempDir, traineeConfig } from "./room-helper.ts";

// `course images load <room address>` on the engine: the room serves an archive written by
// `docker save`, the trainee's command downloads it, loads it and tells the room, whose state then
// shows who has it. A second run finds the download already there and verified.

test("images load from the room: downloaded, verified, loaded, and the room knows", async (t) => {
  if (!(await needsDocker(t))) return;
  const tag = `roomclient-test/tiny:${String(process.pid)}`;
  await run("docker", ["build", "-t", tag, "--label", "course.check=1", fixture("tiny")]);
  t.after(async () => {
    await docker
      .getImage(tag)
      .remove()
      .catch(() => undefined);
  });
  const archive = join(tempDir(t, "archive"), "class-images.tar");
  await run("docker", ["save", "-o", archive, tag]);
  await docker.getImage(tag).remove();

  const config = traineeConfig(t);
  const room = await openRoom(t, { images: [archive] });
  const { traineeId } = await joinRoom(room.address, room.code, "Ana");
  const env = { COURSE_CONFIG_DIR: config, COURSE_STATE_DIR: tempDir(t, "state") };
  const address = room.address.replace("http://", "");

  // The room's archive holds an image outside the class's list: named, and nothing loaded, until
  // the trainee names it too.
  const refused = await course(["images", "load", address], { env });
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /Downloaded class-images\.tar, sha256 verified/);
  assert.match(refused.stderr, /holds images outside the class's list .*: roomclient-test\/tiny/);
  await assert.rejects(docker.getImage(tag).inspect());

  const loaded = await course(["images", "load", address, "--image", tag], { env });
  assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
  assert.match(loaded.stdout, /class-images\.tar: already downloaded, sha256 verified/);
  assert.match(loaded.stdout, new RegExp(tag.replace(/[/.]/g, "\\$&")));
  await docker.getImage(tag).inspect();
  const { Os, Arch } = await docker.version();
  const trainee = readRoomState(room.dataDir).trainees.find((one) => one.id === traineeId);
  assert.deepEqual(
    trainee?.imagesLoaded.map((image) => [image.archive, image.platform]),
    [["class-images.tar", `${Os}/${Arch}`]],
  );

  const again = await course(["images", "load", address, "--image", tag], { env });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /class-images\.tar: already downloaded, sha256 verified/);

  const nowhere = await course(["images", "load", "127.0.0.1:1"], { env });
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /no room answers at http:\/\/127\.0\.0\.1:1/);
});
