// `npm test` in api/: every test/*.test.ts through node's test runner. The files are listed here,
// not by a glob in package.json, because neither cmd.exe nor Node.js 20 expands `test/*.test.ts`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".test.ts"))
  .sort()
  .map((name) => `${dir}/${name}`);
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
