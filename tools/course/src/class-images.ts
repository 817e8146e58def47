// The class image catalogue: every image the day pulls or builds from, with why. `course images
// save` archives exactly these, `course doctor` looks for them, `course sizes` compares them, and
// a test reads every Dockerfile and README of the course and fails when one names an image that
// is not here. The Alpine release is named once: moving to the next one is a change of one line
// here, then `npm test -- test/class-images.test.ts` lists every file still naming the old one.

export const NODE_MAJOR = 24;
export const ALPINE_RELEASE = "3.24";

export const ALPINE = `alpine:${ALPINE_RELEASE}`;
/** The tag the exercises' READMEs teach first: it moves with Node.js and Alpine releases. */
export const NODE_ALPINE = `node:${String(NODE_MAJOR)}-alpine`;
/** The same image pinned to one Alpine release, as the solutions write it. */
export const NODE_ALPINE_PINNED = `node:${String(NODE_MAJOR)}-alpine${ALPINE_RELEASE}`;
export const NODE_FULL = `node:${String(NODE_MAJOR)}`;
export const NODE_SLIM = `node:${String(NODE_MAJOR)}-slim`;
export const BUILD_DEFAULT = `node:${String(NODE_MAJOR)}-trixie-slim`;
export const DISTROLESS_DEFAULT = `gcr.io/distroless/nodejs${String(NODE_MAJOR)}-debian13:nonroot`;

export interface ClassImage {
  name: string;
  /** Where the day uses it. */
  use: string;
  /** The base-image variable that renames it for builds (offline or mirrored bases). */
  variable?: "BUILD_IMAGE" | "DISTROLESS_IMAGE" | "ALPINE_IMAGE";
}

export const CLASS_IMAGES: readonly ClassImage[] = [
  { name: NODE_FULL, use: "exercise 1: how big the official image is; course sizes" },
  {
    name: ALPINE,
    use: "exercise 1's base; the services' alpine target",
    variable: "ALPINE_IMAGE",
  },
  { name: NODE_ALPINE, use: "exercise 2, as its README writes it; course sizes" },
  { name: NODE_ALPINE_PINNED, use: "solutions 2 to 4, pinned to one Alpine release" },
  { name: NODE_SLIM, use: "course sizes: the official slim image" },
  { name: BUILD_DEFAULT, use: "the services' build stage", variable: "BUILD_IMAGE" },
  { name: DISTROLESS_DEFAULT, use: "the services' runtime", variable: "DISTROLESS_IMAGE" },
];

/** The catalogue's names, with the environment's stand-ins for the renamed bases. */
export function classImages(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...new Set(
      CLASS_IMAGES.map((image) =>
        image.variable ? (env[image.variable] ?? image.name) : image.name,
      ),
    ),
  ];
}
