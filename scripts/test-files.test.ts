import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { repoPath, selectTestFiles } from "./test-files.ts";

// `npm test -- <folder>` on Windows: relative() there yields backslashes, and trainees type either.

const root = "C:\\Users\\ada\\advanced-docker";
const onWindows = [
  `${root}\\services\\employee\\test\\employees.test.ts`,
  `${root}\\solutions\\05-compose-employees\\services\\employee\\test\\employees.test.ts`,
  `${root}\\test\\containers\\compose.test.ts`,
  `${root}\\test\\one-place.test.ts`,
].map((file) => repoPath(root, file, path.win32));

test("Windows paths become repository paths with forward slashes", () => {
  assert.deepEqual(onWindows, [
    "services/employee/test/employees.test.ts",
    "solutions/05-compose-employees/services/employee/test/employees.test.ts",
    "test/containers/compose.test.ts",
    "test/one-place.test.ts",
  ]);
});

test("a folder filter, typed with / or \\, selects the files under that folder only", () => {
  for (const filter of ["services/employee", "services\\employee", ".\\services\\employee\\"])
    assert.deepEqual(selectTestFiles(onWindows, [filter]), [
      "services/employee/test/employees.test.ts",
    ]);
  assert.deepEqual(selectTestFiles(onWindows, ["services/emp"]), []);
});

test("without filters every file runs, the container suites last", () => {
  assert.equal(selectTestFiles(onWindows, []).at(-1), "test/containers/compose.test.ts");
});
