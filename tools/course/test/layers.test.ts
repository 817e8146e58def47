import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { type Header, pack } from "tar-stream";
import { imageFacts, orderedLayers, scanSave } from "../src/facts/layers-read.ts";
import {
  flatten,
  instruction,
  layerInstructions,
  type LayerEntry,
  layerKey,
  leftoversShipped,
  npmShipped,
  type RawLayer,
  rewriteLayers,
  summariseLayers,
} from "../src/facts/layers.ts";

// Layer facts from archives made here in the two shapes `docker save` writes (the classic
// store's plain layer tars, the containerd store's OCI layout with compressed blobs), and the
// pure summaries the checks read: what each layer ships, what a later one hides.

type Item = Partial<Header> & { name: string; body?: string };

async function tar(items: Item[]): Promise<Buffer> {
  const archive = pack();
  for (const { body, ...header } of items) {
    archive.entry({ mode: 0o644, mtime: new Date(1_700_000_000_000), ...header }, body ?? "");
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const file = (name: string, body: string | number, extra: Partial<Header> = {}): Item => ({
  name,
  body: typeof body === "number" ? "x".repeat(body) : body,
  ...extra,
});

const NO_PACKAGES = new Set<string>();
const DEV = new Set(["typescript"]);

test("layerKey: what the checks count, and what they leave alone", () => {
  const cases: [string, boolean, string | undefined][] = [
    ["/usr/local/lib/node_modules/npm/bin/npm-cli.js", false, "/usr/local/lib/node_modules/npm"],
    ["/usr/local/bin/npm", false, "/usr/local/bin/npm"],
    ["/usr/local/bin/npx", false, "/usr/local/bin/npx"],
    ["/app/node_modules/typescript/lib/tsc.js", false, "/app/node_modules/typescript"],
    ["/app/node_modules/fastify/fastify.js", false, undefined],
    ["/app/node_modules/fastify/test/a.js", false, undefined],
    ["/app/src/app.ts", false, "/app/src"],
    ["/app/src", true, "/app/src"],
    ["/app/tsconfig.json", false, "/app/tsconfig.json"],
    ["/root/.npm/_cacache/index", false, "/root/.npm"],
    ["/var/cache/apk/APKINDEX.1.tar.gz", false, "/var/cache/apk"],
    ["/usr/bin/test", false, undefined],
    ["/src", true, undefined],
    ["/app/dist/app.js", false, undefined],
  ];
  for (const [path, directory, key] of cases)
    assert.equal(layerKey(path, directory, DEV), key, path);
  assert.equal(
    layerKey("/app/node_modules/@types/node/index.d.ts", false, new Set(["@types/node"])),
    "/app/node_modules/@types/node",
  );
});

test("instructions read as a Dockerfile says them; empty layers have no archive", () => {
  assert.equal(
    instruction("RUN |2 NODE_VERSION=24 NPM_VERSION=11 /bin/sh -c rm -rf /x # buildkit"),
    "RUN rm -rf /x",
  );
  assert.equal(instruction("/bin/sh -c #(nop) COPY dir:abc in /app "), "COPY dir:abc in /app");
  assert.equal(instruction("/bin/sh -c apk add nodejs"), "RUN apk add nodejs");
  assert.equal(instruction("COPY /app/dist/ dist/ # buildkit"), "COPY /app/dist/ dist/");
  assert.deepEqual(
    layerInstructions(
      [
        { created_by: "ADD rootfs.tar / # buildkit" },
        { created_by: "ENV A=1", empty_layer: true },
        { created_by: "RUN /bin/sh -c rm -rf /x # buildkit" },
      ],
      2,
    ),
    ["ADD rootfs.tar /", "RUN rm -rf /x"],
  );
  assert.deepEqual(layerInstructions([], 1), ["(no instruction recorded)"]);
});

const raw = (
  entries: [string, Partial<LayerEntry>][],
  whiteouts: string[] = [],
  opaque: string[] = [],
): RawLayer => ({
  entries: new Map(
    entries.map(([path, e]) => [
      path,
      { type: "file", size: 0, mtime: 1, uid: 0, gid: 0, mode: 0o644, ...e },
    ]),
  ),
  whiteouts,
  opaque,
  contents: new Map(),
});

test("a later rm hides npm: it is still shipped, and the layer that deleted it is named", () => {
  const layers = summariseLayers(
    [
      raw([
        ["/usr/local/lib/node_modules/npm/index.js", { size: 9000 }],
        [
          "/usr/local/bin/npm",
          { type: "symlink", target: "../lib/node_modules/npm/bin/npm-cli.js" },
        ],
      ]),
      raw([["/app/dist/app.js", { size: 10 }]]),
      raw([], ["/usr/local/lib/node_modules/npm", "/usr/local/bin/npm", "/etc/unrelated"]),
    ],
    ["FROM base", "COPY dist", "RUN rm -rf npm"],
    NO_PACKAGES,
  );
  assert.deepEqual(layers[2]?.deletes, ["/usr/local/lib/node_modules/npm", "/usr/local/bin/npm"]);
  const npm = npmShipped(layers);
  assert.deepEqual(
    npm.map((s) => [s.path, s.bytes, s.layer, s.deletedBy]),
    [
      ["/usr/local/lib/node_modules/npm", 9000, 0, "RUN rm -rf npm"],
      ["/usr/local/bin/npm", 0, 0, "RUN rm -rf npm"],
    ],
  );
  const fs = flatten([
    raw([["/usr/local/lib/node_modules/npm/index.js", {}]]),
    raw([], ["/usr/local/lib/node_modules/npm"]),
  ]);
  assert.equal(fs.entries.size, 0);
});

test("an opaque folder hides what was below it; a deletion of another folder hides nothing", () => {
  const layers = summariseLayers(
    [
      raw([
        ["/app/src/app.ts", { size: 300 }],
        ["/app/node_modules/typescript/tsc.js", { size: 5000 }],
      ]),
      raw([["/app/dist/app.js", { size: 10 }]], ["/app/dist/old"], ["/app/node_modules"]),
    ],
    ["COPY . .", "RUN rm -rf node_modules && npm ci --omit=dev"],
    DEV,
  );
  const shipped = leftoversShipped(layers, "/app", ["typescript"]);
  assert.deepEqual(
    shipped.map((s) => [s.path, s.bytes, s.deletedBy]),
    [
      ["/app/src", 300, undefined],
      ["/app/node_modules/typescript", 5000, "RUN rm -rf node_modules && npm ci --omit=dev"],
    ],
  );
  assert.deepEqual(leftoversShipped(layers, "/", ["typescript"]), []);
});

test("chown -R writes each file again: counted with its bytes; a real change of content is not", () => {
  const base = raw([
    ["/app/dist/app.js", { size: 4000, mtime: 5 }],
    ["/app/package.json", { size: 100, mtime: 5 }],
    ["/app/dist", { type: "directory" }],
  ]);
  const chown = raw([
    ["/app/dist/app.js", { size: 4000, mtime: 5, uid: 100, gid: 101 }],
    ["/app/package.json", { size: 120, mtime: 9, uid: 100, gid: 101 }],
    ["/app/dist", { type: "directory", uid: 100 }],
  ]);
  const layers = summariseLayers([base, chown], ["COPY", "RUN chown -R app:app /app"], DEV);
  assert.deepEqual(rewriteLayers(layers), [
    {
      layer: 1,
      createdBy: "RUN chown -R app:app /app",
      files: 1,
      bytes: 4000,
      owner: true,
      mode: false,
      under: "/app/dist",
    },
  ]);
  const chmod = raw([["/app/dist/app.js", { size: 4000, mtime: 5, mode: 0o600 }]]);
  const [modes] = rewriteLayers(summariseLayers([base, chmod], ["COPY", "RUN chmod -R"], DEV));
  assert.deepEqual([modes?.mode, modes?.owner], [true, false]);
});

const CONFIG = JSON.stringify({
  rootfs: { type: "layers", diff_ids: ["sha256:a", "sha256:b"] },
  history: [
    { created_by: "ADD rootfs.tar / # buildkit" },
    { created_by: "WORKDIR /app", empty_layer: true },
    { created_by: "RUN /bin/sh -c rm -rf /usr/local/bin/npm # buildkit" },
    { created_by: "WORKDIR /srv" },
  ],
});

async function layerTars() {
  return [
    await tar([
      { name: "usr/", type: "directory", mode: 0o755 },
      file("usr/local/bin/npm", 0, {
        type: "symlink",
        linkname: "../lib/node_modules/npm/bin/npm-cli.js",
      }),
      file("usr/local/lib/node_modules/npm/package.json", 2000),
      file("etc/os-release", "ID=debian\n"),
      file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
    ]),
    await tar([
      file("usr/local/bin/.wh.npm", 0),
      file("app/.wh..wh..opq", 0),
      file("app/dist/app.js", 50),
      file("app/package.json", JSON.stringify({ devDependencies: { vitest: "1" } })),
      file("app/node_modules/vitest/index.js", 70),
      file("app/node_modules/typescript/tsc.js", 80),
    ]),
  ];
}

/**
 * A `docker save` archive: engines since 25 write an OCI layout (plain layer tars from the
 * classic store, gzip-compressed ones from the containerd store); older ones wrote <id>/layer.tar,
 * a repeated layer as a link to the first.
 */
async function savedArchive(shape: "classic" | "containerd" | "legacy") {
  const tars = await layerTars();
  const [first, second] =
    shape === "legacy"
      ? ["aaa/layer.tar", "bbb/layer.tar"]
      : ["blobs/sha256/aaa", "blobs/sha256/bbb"];
  const [a, b] = shape === "containerd" ? tars.map((t) => gzipSync(t)) : tars;
  const archive = pack();
  archive.entry({ name: "blobs/", type: "directory" });
  // The layers come before the manifest that orders them, as the engine writes them.
  archive.entry({ name: second }, b ?? "");
  archive.entry({ name: first }, a ?? "");
  if (shape === "legacy")
    archive.entry({ name: "ccc/layer.tar", type: "symlink", linkname: "../bbb/layer.tar" });
  // A layer that changes nothing (WORKDIR of a folder that exists) is a tar of end blocks only.
  archive.entry({ name: "blobs/sha256/eee" }, Buffer.alloc(1024));
  archive.entry({ name: "blobs/sha256/ccc" }, CONFIG);
  archive.entry({ name: "index.json" }, JSON.stringify({ schemaVersion: 2, manifests: [] }));
  const layers =
    shape === "legacy"
      ? [first, "ccc/layer.tar", "blobs/sha256/eee"]
      : [first, second, "blobs/sha256/eee"];
  archive.entry(
    { name: "manifest.json" },
    JSON.stringify([{ Config: "blobs/sha256/ccc", RepoTags: ["x:1"], Layers: layers }]),
  );
  archive.finalize();
  return archive as unknown as Readable;
}

for (const shape of ["classic", "containerd", "legacy"] as const) {
  test(`a docker save archive, ${shape} shape: layers in order, whiteouts, history`, async () => {
    const saved = await scanSave(await savedArchive(shape));
    const { layers } = imageFacts(saved, "/");
    assert.deepEqual(
      layers.map((l) => l.createdBy),
      ["ADD rootfs.tar /", "RUN rm -rf /usr/local/bin/npm", "WORKDIR /srv"],
    );
    const [base, rm] = layers;
    assert.ok(base && rm);
    assert.deepEqual(base.holds, [
      ["/usr/local/bin/npm", 0, 1],
      ["/usr/local/lib/node_modules/npm", 2000, 1],
    ]);
    assert.equal(base.bytes, 2000 + "ID=debian\n".length + "root:x:0:0::/root:/bin/sh\n".length);
    assert.deepEqual(rm.deletes, ["/usr/local/bin/npm"]);
    const npm = npmShipped(layers);
    assert.equal(
      npm.find((s) => s.path === "/usr/local/bin/npm")?.deletedBy,
      "RUN rm -rf /usr/local/bin/npm",
    );
    assert.equal(npm.find((s) => s.path.endsWith("/npm"))?.layer, 0);
  });
}

test("the layers flattened give the filesystem with the text of the files the checks read", async () => {
  const { fs } = imageFacts(await scanSave(await savedArchive("classic")), "/app");
  assert.equal(fs.entries.get("/usr/local/bin/npm"), undefined);
  assert.equal(fs.entries.get("/usr/local/lib/node_modules/npm/package.json")?.type, "file");
  assert.equal(fs.entries.get("/usr")?.mode, 0o755);
  assert.equal(fs.contents.get("/etc/os-release"), "ID=debian\n");
  assert.equal(fs.entries.get("/app/dist/app.js")?.type, "file");
});

test("an archive without a manifest, or with a layer missing, says so", async () => {
  const archive = pack();
  archive.entry({ name: "index.json" }, "{}");
  archive.finalize();
  const saved = await scanSave(archive as unknown as Readable);
  assert.throws(() => orderedLayers(saved), /no manifest\.json/);
  saved.json.set("/manifest.json", JSON.stringify([{ Config: "c", Layers: ["gone/layer.tar"] }]));
  assert.throws(() => orderedLayers(saved), /no layer gone\/layer\.tar/);
});

test("the dev dependencies counted are the ones the app's package.json names", async () => {
  const { layers } = imageFacts(await scanSave(await savedArchive("classic")), "/app");
  assert.deepEqual(layers[1]?.holds, [["/app/node_modules/vitest", 70, 1]]);
});
