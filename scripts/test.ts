// `npm test`: every *.test.ts in the repository through node's test runner, fast suites first and
// the container suites (test/containers) last. Arguments narrow the run to the files under the
// folders (or the files) they name, from the repository root: `npm test -- services/employee`
// runs that folder's tests, not solutions/05-compose-employees/services/employee's, which run
// only when a path under solutions/ is named (or with no argument at all).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { findTestFiles, normalise, selectTestFiles } from "./test-files.ts";

const root = join(import.meta.dirname, "..");
const filters = process.argv.slice(2);
const files = selectTestFiles(findTestFiles(root), filters);

if (files.length === 0) {
  console.error(`No test files match ${filters.map(normalise).join(" ")}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
