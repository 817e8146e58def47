import type { EngineFacts } from "../../lib/engine.ts";
import { list } from "../../lib/format.ts";
import { apiAtLeast, formatPlatform, samePlatform, type Platform } from "../../lib/platform.ts";
import { compatManifest, platformsOf, type ArchivedImage } from "./archive.ts";

// What `course images save` and `load` will do on a given engine, decided before anything is
// pulled, written or loaded; each refusal says why and what to do instead. Pure: tested on facts.

/** `docker save --platform` and `docker load --platform` (docker/cli#5331). */
export const PLATFORM_API = "1.48";

export const CONTAINERD_STORE_HOWTO =
  'turn on the containerd image store (Docker Desktop: Settings > General > "Use containerd for ' +
  'pulling and storing images"; Docker Engine: "features": {"containerd-snapshotter": true} in ' +
  "/etc/docker/daemon.json, then restart it)";

export type SavePlan =
  | { refuse: string }
  /** `platform`: ask the engine for that one platform; none: the whole index, as pulled. */
  | { refuse?: undefined; platform?: Platform; perPlatformPulls: boolean };

export function planSave(engine: EngineFacts, wanted: Platform[]): SavePlan {
  const own = engine.platform;
  const others = wanted.filter((p) => !samePlatform(p, own)).map(formatPlatform);
  if (others.length === 0) return { perPlatformPulls: false };
  const onlyOwn = `or write a bundle for ${formatPlatform(own)} laptops only: course images save --platform ${formatPlatform(own)} <file>`;
  if (engine.store === "classic")
    return {
      refuse:
        `this engine keeps one platform per image name (the classic image store), so it cannot ` +
        `write ${others.join(", ")} beside ${formatPlatform(own)}. To write them, ${CONTAINERD_STORE_HOWTO} ` +
        `and save again; ${onlyOwn}.`,
    };
  if (!apiAtLeast(engine.api, PLATFORM_API) && engine.pinnedBelow)
    return {
      refuse:
        `DOCKER_API_VERSION=${engine.api} holds this command to Engine API ${engine.api}, and ` +
        `saving a chosen platform needs ${PLATFORM_API} (Docker Engine ${engine.version} speaks ` +
        `${engine.pinnedBelow}). Unset DOCKER_API_VERSION and save again; ${onlyOwn}.`,
    };
  if (!apiAtLeast(engine.api, PLATFORM_API))
    return {
      refuse:
        `Docker Engine ${engine.version} (API ${engine.api}) cannot save a chosen platform: that ` +
        `needs API ${PLATFORM_API} (Docker Engine 28, Docker Desktop 4.39) or later. Update Docker ` +
        `and save again; ${onlyOwn}.`,
    };
  // Engine 28 exports one platform or the whole index: the index, checked after it is written.
  const [single] = wanted;
  return wanted.length === 1 && single
    ? { platform: single, perPlatformPulls: true }
    : { perPlatformPulls: true };
}

/** The images an archive lacks for some wanted platform, as "name (platform, …)". */
export function lacking(images: ArchivedImage[], names: string[], wanted: Platform[]): string[] {
  return names.flatMap((name) => {
    const image = images.find((i) => i.name === name);
    const missing = wanted
      .filter((p) => !image?.variants.some((v) => samePlatform(v.platform, p)))
      .map(formatPlatform);
    return missing.length ? [`${name} (${missing.join(", ")})`] : [];
  });
}

export type LoadPlan =
  | { refuse: string }
  | {
      refuse?: undefined;
      /** Ask the engine for this laptop's platform only (Engine API 1.48 and later). */
      platform?: Platform;
      /** A manifest.json naming this laptop's platform, for a classic-store engine. */
      manifest?: string;
      names: string[];
    };

export function planLoad(
  engine: EngineFacts,
  file: string,
  images: ArchivedImage[],
  accepted: string[],
): LoadPlan {
  const own = engine.platform;
  if (images.length === 0)
    return { refuse: `${file} holds no images: give the file \`course images save\` wrote.` };
  const outside = images.map((i) => i.name).filter((name) => !accepted.includes(name));
  if (outside.length)
    return {
      refuse:
        `${file} holds images outside the class's list (\`course images list\`): ` +
        `${outside.join(", ")}. Nothing was loaded. If you trust where it came from, name them: ` +
        `course images load ${file} --image ${outside.join(" ")}`,
    };
  const without = images.filter((i) => !i.variants.some((v) => samePlatform(v.platform, own)));
  if (without.length) {
    const held = [...new Set(without.flatMap(platformsOf))];
    return {
      refuse:
        `${file} has no ${formatPlatform(own)} image (this laptop's platform) of ` +
        `${list(without.map((i) => i.name))}; it holds ${held.length ? held.join(", ") : "no complete image"}. ` +
        `Nothing was loaded. Ask the trainer for a bundle written by \`course images save\` ` +
        `(linux/amd64 and linux/arm64 unless told otherwise).`,
    };
  }
  const names = images.map((i) => i.name);
  const platform = apiAtLeast(engine.api, PLATFORM_API) ? own : undefined;
  const compatible = images.every((i) => i.compat && samePlatform(i.compat, own));
  return engine.store === "classic" && !compatible
    ? { names, manifest: compatManifest(images, own), ...(platform ? { platform } : {}) }
    : { names, ...(platform ? { platform } : {}) };
}
