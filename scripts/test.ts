// `npm test`: every *.test.ts in the repository through node's test runner, fast suites first and
// the container suites (test/containers) last. Arguments narrow the run to the files under the
// folders (or the files) they name, from the repository root: `npm test -- services/employee`
// runs that folder's tests, not solutions/05-compose-employees/services/employee's, which run
// only when a path under solutions/ is named (or with no argument at all).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

const root = join(import.meta.dirname, "..");
const skip = new Set(["node_modules", "dist", ".git", ".course", "test-results"]);

function find(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return find(path);
    return entry.name.endsWith(".test.ts") ? [relative(root, path).split(sep).join("/")] : [];
  });
}

/** A filter as a path from the root, with forward slashes and no ./ or trailing slash. */
const normalise = (filter: string) =>
  filter
    .replaceAll("\\", "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");

/** The file is the path named, or under the folder named. */
export const matches = (file: string, filter: string) =>
  file === filter || file.startsWith(`${filter}/`);

const filters = process.argv.slice(2).map(normalise);
const files = find(root)
  .filter((file) => filters.length === 0 || filters.some((filter) => matches(file, filter)))
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
