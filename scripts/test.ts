// `npm test`: every *.test.ts in the repository through node's test runner, fast suites first and
// the container suites (test/containers) last. Arguments narrow the run to paths containing them:
// `npm test -- services/company`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const skip = new Set(["node_modules", "dist", ".git", ".course", "test-results"]);

function find(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return find(path);
    return entry.name.endsWith(".test.ts") ? [relative(root, path)] : [];
  });
}

const filters = process.argv.slice(2);
const files = find(root)
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort(
    (a, b) =>
      Number(a.startsWith("test/containers/")) - Number(b.startsWith("test/containers/")) ||
      a.localeCompare(b),
  );

if (files.length === 0) {
  console.error(`No test files match ${filters.join(" ")}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", ...files],
  {
    cwd: root,
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
