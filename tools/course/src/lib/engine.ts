import { docker } from "./docker.ts";
import { imageStoreOf, type ImageStore, type Platform } from "./platform.ts";

// What the running engine is: its version, API, own platform and image store.

export interface EngineFacts {
  version: string;
  api: string;
  platform: Platform;
  store: ImageStore;
}

export async function engineFacts(): Promise<EngineFacts> {
  const version = await docker.version();
  const info = (await docker.info()) as { DriverStatus?: [string, string][] | null };
  return {
    version: version.Version,
    api: version.ApiVersion,
    platform: { os: version.Os, architecture: version.Arch },
    store: imageStoreOf(info),
  };
}
