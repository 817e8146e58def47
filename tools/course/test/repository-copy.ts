import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { TestContext } from "node:test";
import { root } from "../../../test/containers/docker.ts";

// A copy of the repository for a command that writes into it (`course solution`), so that the
// working tree stays as it is.

const SKIP = new Set(["node_modules", ".git", ".course", "dist", "test-results"]);

/** The repository's files, without installs, builds or state, in a folder of the test's own. */
export function repositoryCopy(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "course-solution-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  cpSync(root, dir, { recursive: true, filter: (source) => !SKIP.has(basename(source)) });
  return dir;
}
