// The in-memory data the API serves: common base images and roughly how much disk they take.
// Sizes are approximate, uncompressed, for linux/amd64; they change with every release and differ
// on arm64, which is why the course always talks about ranges.

import type { BaseImage } from "./schemas.js";

const images: readonly BaseImage[] = [
  {
    name: "scratch",
    reference: "scratch",
    sizeMb: 0,
    packageManager: "none",
    shell: false,
    description: "The empty image: only for static binaries.",
  },
  {
    name: "busybox",
    reference: "busybox:1.37",
    sizeMb: 4,
    packageManager: "none",
    shell: true,
    description: "A shell and the usual Unix tools in one small binary.",
  },
  {
    name: "alpine",
    reference: "alpine:3.24",
    sizeMb: 8,
    packageManager: "apk",
    shell: true,
    description: "A small distribution built on musl libc and BusyBox.",
  },
  {
    name: "debian-slim",
    reference: "debian:bookworm-slim",
    sizeMb: 75,
    packageManager: "apt",
    shell: true,
    description: "Debian without documentation and rarely used files.",
  },
  {
    name: "ubuntu",
    reference: "ubuntu:24.04",
    sizeMb: 78,
    packageManager: "apt",
    shell: true,
    description: "Ubuntu's minimal root file system.",
  },
  {
    name: "debian",
    reference: "debian:bookworm",
    sizeMb: 117,
    packageManager: "apt",
    shell: true,
    description: "A full Debian root file system.",
  },
  {
    name: "distroless-nodejs",
    reference: "gcr.io/distroless/nodejs24-debian13",
    sizeMb: 130,
    packageManager: "none",
    shell: false,
    description: "Node.js and its runtime libraries only: no shell, no package manager.",
  },
  {
    name: "node-alpine",
    reference: "node:24-alpine",
    sizeMb: 167,
    packageManager: "apk",
    shell: true,
    description: "Node.js, npm and Yarn on Alpine.",
  },
  {
    name: "node-slim",
    reference: "node:24-slim",
    sizeMb: 230,
    packageManager: "apt",
    shell: true,
    description: "Node.js, npm and Yarn on Debian slim.",
  },
  {
    name: "node",
    reference: "node:24",
    sizeMb: 1130,
    packageManager: "apt",
    shell: true,
    description: "Node.js on full Debian with compilers and build tools: made for building.",
  },
];

export function listImages(maxSizeMb = Number.POSITIVE_INFINITY): BaseImage[] {
  return images.filter((image) => image.sizeMb <= maxSizeMb);
}

export function findImage(name: string): BaseImage | undefined {
  return images.find((image) => image.name === name);
}
