// The base images that builds may be told to use instead of the public ones: the offline or
// mirrored ones the environment names. Apart from the Docker client, so that pure modules (rules)
// can read the names without constructing one.

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
