import Docker from "dockerode";
import { CouldNotCheck, errorMessage } from "./errors.ts";

// The engine, through its API (dockerode); the label that marks what the course creates; and the
// base images that builds may be told to use instead of the public ones.

export const docker = new Docker();

/** Every container, image and compose project the course creates carries this label. */
export const LABEL = "course.check";

export function engineAddress() {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

export async function requireEngine() {
  try {
    await docker.ping();
  } catch (error) {
    throw new CouldNotCheck(
      `no Docker engine answers at ${engineAddress()} (${errorMessage(error)}). ` +
        "Start Docker, then run `npm run course -- doctor`.",
    );
  }
}

/** The base images the builds use: the offline or mirrored ones when the environment names them. */
export const BASE_IMAGE_VARIABLES = ["BUILD_IMAGE", "DISTROLESS_IMAGE", "ALPINE_IMAGE"] as const;
export type BaseImageVariable = (typeof BASE_IMAGE_VARIABLES)[number];

/** The base-image variables set in the environment, by name. */
export function baseImages(): Partial<Record<BaseImageVariable, string>> {
  return Object.fromEntries(
    BASE_IMAGE_VARIABLES.flatMap((name) => {
      const value = process.env[name];
      return value ? [[name, value]] : [];
    }),
  );
}

/** `--build-arg NAME=value` for each base image the environment names. */
export function buildArgs(): string[] {
  return Object.entries(baseImages()).flatMap(([name, value]) => [
    "--build-arg",
    `${name}=${value}`,
  ]);
}

export async function imageExists(reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw new Error(errorMessage(error));
  }
}
