import { docker, PINNED_API } from "./docker.ts";
import { apiAtLeast, imageStoreOf, type ImageStore, type Platform } from "./platform.ts";

// What the running engine is: its version, API, own platform and image store.

export interface EngineFacts {
  version: string;
  /** The API version spoken: the engine's own, or DOCKER_API_VERSION when that is older. */
  api: string;
  /** The engine's own API version, when DOCKER_API_VERSION holds this command below it. */
  pinnedBelow?: string;
  platform: Platform;
  store: ImageStore;
}

export async function engineFacts(): Promise<EngineFacts> {
  const version = await docker.version();
  const info = (await docker.info()) as { DriverStatus?: [string, string][] | null };
  const pinned =
    PINNED_API !== undefined && !apiAtLeast(PINNED_API, version.ApiVersion)
      ? PINNED_API
      : undefined;
  return {
    version: version.Version,
    api: pinned ?? version.ApiVersion,
    ...(pinned ? { pinnedBelow: version.ApiVersion } : {}),
    platform: { os: version.Os, architecture: version.Arch },
    store: imageStoreOf(info),
  };
}
