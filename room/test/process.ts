import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

// The room as a separate process (room/src/server.ts, as in its container), for tests and
// benchmarks that kill it or measure it from outside.

const SERVER = fileURLToPath(new URL("../src/server.ts", import.meta.url));

export async function freePort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

export interface RoomProcess {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
}

/** Starts the room on 127.0.0.1 and resolves once /healthz answers. */
export async function spawnRoom(options: {
  dataDir: string;
  port: number;
  code: string;
  trainerKey: string;
}): Promise<RoomProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: "127.0.0.1",
      ROOM_DATA: options.dataDir,
      ROOM_CODE: options.code,
      ROOM_TRAINER_KEY: options.trainerKey,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const base = `http://127.0.0.1:${String(options.port)}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the room exited: ${stderr}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base, exited };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the room did not answer within 20 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
