import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { test, type TestContext } from "node:test";
import { root } from "../../../test/containers/docker.ts";
import { boardAddresses } from "../src/commands/room/start.ts";
import { queued, sendToRoom, SEND_BUDGET_MS } from "../src/lib/room-client.ts";
import { course } from "./helper.ts";
import { tempDir, traineeConfig } from "./room-helper.ts";

// `course room start|join|status|leave` as the trainer and a trainee type them, with the room as
// its own process: its board line, a trainee joining with it, the grid in the terminal while the
// room runs and after Ctrl-C stopped it, and a room that takes connections but does not answer.

interface Started {
  address: string;
  code: string;
  page: string;
  output: () => string;
  signal: (signal: NodeJS.Signals) => void;
  exited: Promise<number | null>;
}

/** `course room start` in a process of its own; resolves once it printed its page. */
function startRoom(t: TestContext, data: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "tools/course/src/main.ts",
      "room",
      "start",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--data",
      data,
    ],
    { cwd: root, env: { ...process.env, NO_COLOR: "1", INIT_CWD: root }, stdio: "pipe" },
  );
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  t.after(() => {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  });
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const join = /npx course room join (\S+) --code (\S+) --name "<your name>"/.exec(output);
      const page = /(http:\/\/\S+\?key=\S+)/.exec(output);
      if (join && page)
        resolve({
          address: join[1] ?? "",
          code: join[2] ?? "",
          page: page[1] ?? "",
          output: () => output,
          signal: (signal) => child.kill(signal),
          exited,
        });
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    void exited.then((code) => {
      reject(new Error(`room start exited with ${String(code)}:\n${output}`));
    });
  });
}

const check3 = {
  exercise: 3,
  title: "Multi-stage builds",
  passed: false,
  checks: [
    {
      id: "path-bin",
      title: "PATH includes node_modules/.bin",
      passed: false,
      found: "PATH=/usr/bin",
      expected: "node_modules/.bin on PATH",
    },
  ],
};

test("room start, join, status, a room that does not answer, Ctrl-C, status of the stopped room, leave", async (t) => {
  const config = traineeConfig(t);
  const data = tempDir(t, "room-data");
  const env = { COURSE_CONFIG_DIR: config };
  const room = await startRoom(t, data);
  assert.match(room.address, /^127\.0\.0\.1:\d+$/);
  assert.match(room.code, /^[A-Z0-9]{4,}$/);
  const page = await fetch(room.page);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);

  const wrong = await course(["room", "join", room.address, "--code", "NOPE42", "--name", "Ana"], {
    env,
  });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /refused the code NOPE42/);
  const joined = await course(
    ["room", "join", room.address, "--code", room.code, "--name", "Ana Lima"],
    { env },
  );
  assert.equal(joined.code, 0, joined.stderr);
  assert.match(joined.stdout, /Joined the room at http:\/\/127\.0\.0\.1:\d+ as Ana Lima/);

  // Stopped with SIGSTOP, the room's socket still takes connections, but nothing answers.
  room.signal("SIGSTOP");
  const started = performance.now();
  const away = await sendToRoom("check", check3);
  const ms = performance.now() - started;
  room.signal("SIGCONT");
  assert.equal(away.sent, 0);
  assert.ok(ms < SEND_BUDGET_MS * 1.5, `the send gave up after ${ms.toFixed(0)} ms`);
  assert.equal((await queued()).length, 1);
  // Awake again: the waiting report goes before the new one.
  assert.deepEqual(await sendToRoom("doctor", { ok: true, findings: [] }), { sent: 2 });

  const running = await course(["room", "status", "--data", data]);
  assert.equal(running.code, 0, running.stderr);
  assert.match(running.stdout, new RegExp(`Room ${room.code}: 1 trainee`));
  assert.match(running.stdout, /^Ana Lima\s+· +· +✖ path-bin \d+m/m);
  assert.match(running.stdout, /3\. Multi-stage builds: 0 passed, 1 failing; most frequent: PATH/);

  room.signal("SIGINT");
  assert.equal(await room.exited, 0);
  assert.match(room.output(), /SIGINT: stopping the room/);

  const stopped = await course(["room", "status", "--data", data, "--json"]);
  assert.equal(stopped.code, 0, stopped.stderr);
  const state = JSON.parse(stopped.stdout) as {
    trainees: { name: string }[];
    cells: { exercise: number; status: string }[];
  };
  assert.deepEqual(
    state.trainees.map((trainee) => trainee.name),
    ["Ana Lima"],
  );
  assert.equal(state.cells.find((cell) => cell.exercise === 3)?.status, "failing");

  const left = await course(["room", "leave"], { env });
  assert.equal(left.code, 0);
  assert.match(left.stdout, /Left the room at http:\/\/127\.0\.0\.1:\d+/);
});

test("room status without room data says where it looked, exit 2", async (t) => {
  const result = await course(["room", "status", "--data", `${tempDir(t, "empty")}/nothing`]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /there is no room data in .*nothing: start the room/);
});

test("room status on a folder that holds no room refuses it and creates nothing", async (t) => {
  const dir = tempDir(t, "not-a-room");
  const result = await course(["room", "status", "--data", dir]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /no room\.db here: this is not a room's data folder/);
  assert.deepEqual(readdirSync(dir), []);
});

test("the board lists the laptop's network addresses, never its loopback", () => {
  const board = boardAddresses("0.0.0.0", 7070);
  const interfaces = Object.entries(networkInterfaces());
  for (const [name, entries] of interfaces)
    for (const entry of entries ?? []) {
      const listed = board.includes(`${entry.address}:7070`);
      if (entry.internal || name.startsWith("docker") || name.startsWith("br-"))
        assert.ok(!listed, `${name} ${entry.address} is not for other laptops`);
      else if (entry.family === "IPv4") assert.ok(listed, `${name} ${entry.address} is listed`);
    }
  assert.deepEqual(boardAddresses("10.1.2.3", 7070), ["10.1.2.3:7070"]);
});
