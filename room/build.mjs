// Bundles the room into dist/: server.mjs and healthcheck.mjs, single ES modules that need no
// node_modules (ES modules for the server's top-level await; require() is given back for the CommonJS
// dependencies inside), and public/, the trainer's page. Run as `npm run build` in room/.
import { cpSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const healthcheck = fileURLToPath(
  new URL("../packages/service-kit/src/healthcheck.ts", import.meta.url),
);
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { server: "src/server.ts", healthcheck },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
cpSync("public", "dist/public", { recursive: true });
console.log(`bundled ${process.cwd()} into dist/`);
