// The sizes the exercises and the trainer guide quote, written once: a test finds every range
// and "about" figure in the documents and fails on one that is not here, or that differs.
// Measured on amd64 with the classic image store (overlay2): the SIZE column of `docker images`
// before Docker 29, its DISK USAGE column from Docker 29 on. The containerd image store's
// DISK USAGE counts the compressed layers as well (its CONTENT SIZE): subtract CONTENT SIZE from
// DISK USAGE to compare with these. Alpine cannot be pulled where the tests run: the Alpine
// figures are quoted from amd64 machines with Docker Hub access.

export interface ExpectedSize {
  /** The image, as the documents name it. */
  image: string;
  /** As the documents write it: "about 1.13 GB" or "180–195 MB". */
  size: string;
}

export const EXPECTED_SIZES = {
  node: { image: "node:24", size: "about 1.13 GB" },
  nodeAlpine: { image: "node:24-alpine", size: "about 167 MB" },
  alpine: { image: "alpine:3.24", size: "about 8.4 MB" },
  /** `alpine` + `apk add nodejs npm`, before the app. */
  alpineNode: { image: "alpine + nodejs + npm", size: "75–85 MB" },
  ex1: { image: "api:ex1", size: "180–195 MB" },
  ex2: { image: "api:ex2", size: "270–285 MB" },
  ex3: { image: "api:ex3", size: "90–100 MB" },
} as const satisfies Record<string, ExpectedSize>;

/** The parts of `alpine + nodejs + npm`, in MB: together within its range. */
export const ALPINE_NODE_PARTS = { alpine: 8.4, nodejsWithLibraries: 65, npm: 7 } as const;

/** The low and high ends of a figure, in MB ("about" figures: one value). */
export function rangeOf(size: string): [number, number] {
  const scale = (unit: string | undefined) => (unit === "GB" ? 1000 : 1);
  const about = /^about ([\d.]+) (MB|GB)$/.exec(size);
  if (about) {
    const value = Number(about[1]) * scale(about[2]);
    return [value, value];
  }
  const range = /^(\d+)–(\d+) MB$/.exec(size);
  if (!range) throw new Error(`not a size: ${size}`);
  return [Number(range[1]), Number(range[2])];
}
