// Platforms as Docker names them (`linux/amd64`, `linux/arm64`), and what an engine can hold: the
// classic image store keeps one platform per image name, the containerd image store several.

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** What a class bundle holds unless told otherwise: Intel and Apple Silicon laptops. */
export const ROOM_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

/** `os/architecture[/variant]`, or undefined when the text is not one. */
export function parsePlatform(text: string): Platform | undefined {
  const [os, architecture, variant, ...rest] = text.trim().toLowerCase().split("/");
  if (!os || !architecture || rest.length || ![os, architecture, variant ?? "x"].every(word))
    return undefined;
  return variant ? { os, architecture, variant } : { os, architecture };
}
const word = (part: string) => /^[a-z0-9_]+$/.test(part);

/** arm64's only variant is v8, and Docker writes it or not: the same platform either way. */
function normal(platform: Platform): Platform {
  const { os, architecture } = platform;
  const variant =
    architecture === "arm64" && platform.variant === "v8" ? undefined : platform.variant;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  const { os, architecture, variant } = normal(platform);
  return [os, architecture, variant].filter(Boolean).join("/");
}

/** An image's platform as `docker image inspect` gives it: "linux/arm64". */
export const platformOfImage = (info: { Os: string; Architecture: string; Variant?: string }) =>
  formatPlatform({
    os: info.Os,
    architecture: info.Architecture,
    ...(info.Variant ? { variant: info.Variant } : {}),
  });

export const samePlatform = (a: Platform, b: Platform) => formatPlatform(a) === formatPlatform(b);

/** How an engine keeps images; `docker info` names the containerd snapshotter when it is used. */
export type ImageStore = "containerd" | "classic";

export function imageStoreOf(info: { DriverStatus?: [string, string][] | null }): ImageStore {
  const type = info.DriverStatus?.find(([key]) => key === "driver-type")?.[1] ?? "";
  return type.startsWith("io.containerd.snapshotter") ? "containerd" : "classic";
}

/** Whether an Engine API version ("1.51") is at least another ("1.48"). */
export function apiAtLeast(version: string, wanted: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const [wantMajor = 0, wantMinor = 0] = wanted.split(".").map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}
