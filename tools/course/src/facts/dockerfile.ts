import { DockerfileParser } from "dockerfile-ast";

// The one thing read from the Dockerfile's text rather than from the image: its stages. An image
// does not remember how many FROM lines built it.

export interface Stages {
  count: number;
  /** Each stage's name (or `stage N`, counting from 1) and base image, with ARG defaults and build args applied. */
  list: { name: string; from: string }[];
}

export function readStages(text: string, buildArgs: Record<string, string | undefined> = {}) {
  const dockerfile = DockerfileParser.parse(text);
  const values = new Map<string, string>();
  // Only the ARGs before the first FROM can be used in FROM lines.
  const firstFrom = dockerfile.getFROMs()[0]?.getRange().start.line ?? Infinity;
  for (const arg of dockerfile.getARGs()) {
    if (arg.getRange().start.line > firstFrom) continue;
    for (const property of arg.getProperties()) {
      const value = property.getValue();
      if (value !== null) values.set(property.getName(), value);
    }
  }
  for (const [name, value] of Object.entries(buildArgs)) if (value) values.set(name, value);
  const substitute = (image: string) =>
    image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => values.get(name) ?? "");
  const list = dockerfile.getFROMs().map((from, index) => ({
    name: from.getBuildStage() ?? `stage ${String(index + 1)}`,
    from: substitute(from.getImage() ?? ""),
  }));
  return { count: list.length, list } satisfies Stages;
}

/**
 * The service folders a service Dockerfile builds: the sources it copies, the workspace it builds
 * and the bundle it copies from the build stage (`/src/<folder>/dist`), relative to the context.
 */
export function builtFolders(text: string): string[] {
  const folders = new Set<string>();
  const service = (path: string) => {
    const folder = path.replace(/^\.?\/+/, "").replace(/\/+$/, "");
    if (/(^|\/)services\/[^/]+$/.test(folder)) folders.add(folder);
  };
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((a) => a.getValue());
    if (keyword === "RUN")
      for (const m of instruction.getTextContent().matchAll(/--workspace[= ](\S+)/g))
        service(m[1] ?? "");
    if (keyword !== "COPY") continue;
    const sources = args.filter((a) => !a.startsWith("--")).slice(0, -1);
    const fromStage = args.some((a) => a.startsWith("--from="));
    for (const source of sources) {
      if (fromStage) {
        const bundled = /^\/src\/(.+?)\/dist(\/|$)/.exec(source)?.[1];
        if (bundled) service(bundled);
      } else service(source);
    }
  }
  return [...folders].sort();
}
