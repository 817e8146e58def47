import { setTimeout as sleep } from "node:timers/promises";
import { trackContainer } from "../lib/cleanup.ts";
import { docker, LABEL } from "../lib/docker.ts";
import { errorMessage } from "../lib/errors.ts";
import { fetchWithin, networkError } from "../lib/http.ts";
import { platformOfImage } from "../lib/platform.ts";
import type { ImageConfig, RunFacts } from "./image-types.ts";

// Runs a trainee's image the way they would (`docker run -p 127.0.0.1::8000`), asks for /docs
// through the published port, and removes the container whatever happens. The image's files are
// read from the image itself (layers-read.ts), without running anything inside it.

export const APP_PORT = 8000;

export async function inspectImage(reference: string) {
  const info = await docker.getImage(reference).inspect();
  const config: ImageConfig = {
    env: info.Config.Env,
    cmd: info.Config.Cmd,
    entrypoint: Array.isArray(info.Config.Entrypoint)
      ? info.Config.Entrypoint
      : info.Config.Entrypoint
        ? [info.Config.Entrypoint]
        : [],
    user: info.Config.User,
    workingDir: info.Config.WorkingDir,
  };
  return { id: info.Id, size: info.Size, platform: platformOfImage(info), config };
}

/** `docker logs` output without the 8-byte headers that separate stdout from stderr. */
export function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && buffer[offset + 1] === 0 && (buffer[offset] ?? 9) <= 2) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

async function askDocs(port: number) {
  try {
    const { response } = await fetchWithin(`http://127.0.0.1:${String(port)}/docs`, 2000);
    return { status: response.status };
  } catch (error) {
    return { error: networkError(error) };
  }
}

export async function runAndProbe(options: {
  image: string;
  labels: Record<string, string>;
  timeoutSeconds: number;
  platform?: string;
  onStatus?: (text: string) => void;
}): Promise<RunFacts> {
  const containerPort = `${String(APP_PORT)}/tcp`;
  const container = await docker.createContainer({
    Image: options.image,
    ...(options.platform ? { platform: options.platform } : {}),
    Labels: { [LABEL]: "1", ...options.labels },
    ExposedPorts: { [containerPort]: {} },
    HostConfig: { PortBindings: { [containerPort]: [{ HostIp: "127.0.0.1", HostPort: "" }] } },
  });
  const remove = trackContainer(container.id);
  try {
    options.onStatus?.("starting the container");
    let startError: string | undefined;
    try {
      await container.start();
    } catch (error) {
      startError = errorMessage(error);
    }

    const docs: RunFacts["docs"] = { ok: false, seconds: 0, timeout: options.timeoutSeconds };
    let state = (await container.inspect()).State;
    if (startError === undefined) {
      const binding = (await container.inspect()).NetworkSettings.Ports[containerPort]?.[0];
      const port = Number(binding?.HostPort);
      options.onStatus?.(`asking http://127.0.0.1:${String(port)}/docs`);
      const started = performance.now();
      const deadline = started + options.timeoutSeconds * 1000;
      while (performance.now() < deadline) {
        const answer = await askDocs(port);
        docs.seconds = (performance.now() - started) / 1000;
        if (answer.status !== undefined) {
          docs.status = answer.status;
          docs.ok = answer.status === 200;
          delete docs.error;
          break;
        }
        docs.error = answer.error;
        state = (await container.inspect()).State;
        if (!state.Running) break;
        await sleep(250);
      }
    }

    let main: RunFacts["process"];
    state = (await container.inspect()).State;
    if (state.Running) {
      try {
        const top = (await container.top({ ps_args: "-o pid,uid,args" })) as {
          Titles: string[];
          Processes: string[][];
        };
        const uidColumn = top.Titles.indexOf("UID");
        const argsColumn = top.Titles.findIndex((t) => t === "COMMAND" || t === "ARGS");
        const first = top.Processes[0];
        if (first && uidColumn >= 0)
          main = { uid: Number(first[uidColumn]), command: first[argsColumn] ?? "" };
      } catch {
        // Without `ps` on the engine's host, the image's USER says who runs the app.
      }
    }
    const logs = await container.logs({ stdout: true, stderr: true, tail: 30 });
    const logTail = demultiplex(logs)
      .split("\n")
      .map((line) => line.trimEnd())
      .filter(Boolean);

    return {
      started: startError === undefined,
      ...(startError === undefined ? {} : { startError }),
      running: state.Running,
      ...(state.Running ? {} : { exitCode: state.ExitCode }),
      logTail,
      ...(main ? { process: main } : {}),
      docs,
    };
  } finally {
    options.onStatus?.("removing the container");
    await remove();
  }
}
