import Docker from "dockerode";
import { CouldNotCheck, errorMessage } from "./errors.ts";

// The engine, through its API (dockerode); the label that marks what the course creates; and the
// base images that builds may be told to use instead of the public ones.

/**
 * DOCKER_API_VERSION, which the docker CLI reads too: the Engine API version to speak, when it is
 * older than the engine's own (what a client for an older engine does).
 */
export const PINNED_API = /^\d+\.\d+$/.test(process.env.DOCKER_API_VERSION?.trim() ?? "")
  ? process.env.DOCKER_API_VERSION?.trim()
  : undefined;

export const docker = new Docker(PINNED_API ? { version: `v${PINNED_API}` } : {});

/**
 * On the containers and images the course makes itself (image checks' probes, builds); compose
 * projects and stacks carry compose's and swarm's own labels, by which each check removes its own.
 */
export const LABEL = "course.check";

interface ModemAddress {
  getSocketPath?: () => Promise<string | undefined>;
  host?: string;
  port?: string | number;
  protocol?: string;
}

/**
 * The address dockerode actually tries: DOCKER_HOST, else the Windows pipe, else
 * ~/.docker/run/docker.sock when it exists, else /var/run/docker.sock. It does not read Docker
 * contexts (`docker context use`), which the docker CLI follows.
 */
export async function engineAddress(): Promise<string> {
  const modem = docker.modem as ModemAddress;
  const socket = await modem.getSocketPath?.();
  if (socket) return socket.startsWith("//./pipe/") ? `npipe:${socket}` : `unix://${socket}`;
  // A tcp:// or ssh:// address, named as the user wrote it.
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  return `${modem.protocol ?? "http"}://${modem.host ?? "localhost"}:${String(modem.port ?? "")}`;
}

export async function requireEngine() {
  try {
    await docker.ping();
  } catch (error) {
    throw new CouldNotCheck(
      `no Docker engine answers at ${await engineAddress()} (${errorMessage(error)}). ` +
        "Start Docker, then run `npx course doctor`.",
    );
  }
}

export {
  BASE_IMAGE_VARIABLES,
  type BaseImageVariable,
  baseImages,
  buildArgs,
} from "./base-images.ts";

export async function imageExists(reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw new Error(errorMessage(error));
  }
}
