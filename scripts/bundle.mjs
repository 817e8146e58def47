// Bundles the service in the current folder into dist/: server.cjs and healthcheck.cjs, single
// files that need no node_modules, and static/ with Swagger UI's files, which a bundle serves from
// beside itself (see packages/service-kit/src/app.ts). Run as `npm run build` in a service folder.
import { cpSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const kit = fileURLToPath(new URL("../packages/service-kit/", import.meta.url));
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { server: "src/server.ts", healthcheck: join(kit, "src/healthcheck.ts") },
  outdir: "dist",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  target: "node22", // the oldest Node.js in engines; the images run 24
  format: "cjs",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
const { dependencies = {} } = JSON.parse(readFileSync("package.json", "utf8"));
if (!("@course/service-kit" in dependencies)) process.exit(0);
const swaggerUi = dirname(
  createRequire(join(kit, "package.json")).resolve("@fastify/swagger-ui/package.json"),
);
cpSync(join(swaggerUi, "static"), "dist/static", { recursive: true });
console.log(`bundled ${process.cwd()} into dist/`);
