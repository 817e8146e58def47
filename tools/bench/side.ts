import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { docker } from "@course/cli";
import { containerOf, PROJECT, RUNTIME_BASE, untilOk } from "./compose.ts";
import { COMPANY_PATH } from "./common.ts";

// Containers run beside a compose service for as long as one load lasts: the same limits, the
// same hardening and the same network as that service, with a port of their own published on
// 127.0.0.1 (chosen by the engine, so nothing else on the machine is disturbed).

export interface Beside {
  url: string;
  stop(): Promise<void>;
}

interface BesideOptions {
  /** The compose service whose limits, hardening and network the container takes. */
  like: string;
  image: string;
  entrypoint?: string[];
  cmd?: string[];
  env: Record<string, string>;
  port: number;
  binds?: string[];
  /** Answers 200 once the container is ready for the load. */
  readyPath: string;
}

export async function beside(options: BesideOptions): Promise<Beside> {
  const model = await (await containerOf(options.like)).inspect();
  const host = model.HostConfig;
  const [network] = Object.keys(model.NetworkSettings.Networks);
  const port = `${String(options.port)}/tcp`;
  const container = await docker.createContainer({
    name: `${PROJECT}-beside-${options.like}-${String(Date.now())}`,
    Image: options.image,
    ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
    ...(options.cmd ? { Cmd: options.cmd } : {}),
    Env: Object.entries(options.env).map(([name, value]) => `${name}=${value}`),
    ExposedPorts: { [port]: {} },
    Labels: { "com.docker.compose.project.bench": PROJECT },
    HostConfig: {
      NanoCpus: host.NanoCpus,
      Memory: host.Memory,
      PidsLimit: host.PidsLimit,
      Init: host.Init,
      ReadonlyRootfs: host.ReadonlyRootfs,
      Tmpfs: host.Tmpfs,
      CapDrop: host.CapDrop as string[] | undefined,
      SecurityOpt: host.SecurityOpt as string[] | undefined,
      NetworkMode: network,
      Binds: options.binds,
      PortBindings: { [port]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
      AutoRemove: false,
    },
  });
  const stop = async () => {
    await container.remove({ force: true }).catch(() => undefined);
  };
  try {
    await container.start();
    const published = (await container.inspect()).NetworkSettings.Ports[port]?.[0]?.HostPort;
    if (!published) throw new Error(`the engine published no port for ${options.image}`);
    const url = `http://127.0.0.1:${published}`;
    await untilOk(`${url}${options.readyPath}`);
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * floor.ts, bundled into one file as the services are, run on the services' runtime base beside
 * `like` and pointed at the database the way that service is.
 */
export async function floorBeside(like: string, database: Record<string, string>): Promise<Beside> {
  const dir = mkdtempSync(join(tmpdir(), "bench-floor-"));
  chmodSync(dir, 0o755); // readable by the runtime's nonroot user
  try {
    await build({
      entryPoints: [join(import.meta.dirname, "floor.ts")],
      outfile: join(dir, "floor.cjs"),
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      minify: true,
      logLevel: "warning",
    });
    const server = await beside({
      like,
      image: RUNTIME_BASE,
      entrypoint: ["/nodejs/bin/node"],
      cmd: ["/floor/floor.cjs"],
      env: { ...database, PORT: "8080" },
      port: 8080,
      binds: [`${dir}:/floor:ro`],
      readyPath: COMPANY_PATH,
    });
    return {
      url: server.url,
      async stop() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
