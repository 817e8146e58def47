// Which test files `npm test -- <filters>` runs: every *.test.ts below the root, as a path from the
// root with forward slashes whatever the platform, narrowed to the files under the folders (or the
// files) the filters name. Kept apart from scripts/test.ts so that a test can import it.
import { readdirSync } from "node:fs";
import nodePath from "node:path";

const skip = new Set(["node_modules", "dist", ".git", ".course", "test-results"]);

type PathModule = Pick<typeof nodePath, "relative" | "sep">;

/** A file's path from the root with `/` between its parts, on Windows (`path.win32`) as elsewhere. */
export const repoPath = (root: string, file: string, path: PathModule = nodePath) =>
  path.relative(root, file).split(path.sep).join("/");

/** Every *.test.ts below `root`, as repository paths. */
export function findTestFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = nodePath.join(dir, entry.name);
    if (entry.isDirectory()) return findTestFiles(root, path);
    return entry.name.endsWith(".test.ts") ? [repoPath(root, path)] : [];
  });
}

/** A filter as a path from the root, with forward slashes and no ./ or trailing slash. */
export const normalise = (filter: string) =>
  filter
    .replaceAll("\\", "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");

/** The file is the path named, or under the folder named. */
export const matches = (file: string, filter: string) =>
  file === filter || file.startsWith(`${filter}/`);

/** The files the filters name (all of them without filters), the container suites last. */
export function selectTestFiles(files: string[], filters: string[]): string[] {
  const wanted = filters.map(normalise);
  return files
    .filter((file) => wanted.length === 0 || wanted.some((filter) => matches(file, filter)))
    .sort(
      (a, b) =>
        Number(a.startsWith("test/containers/")) - Number(b.startsWith("test/containers/")) ||
        a.localeCompare(b),
    );
}
