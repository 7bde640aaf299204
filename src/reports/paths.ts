import { posix } from "node:path";

/**
 * A path as a tool printed it, made a repository path: relative, POSIX, no `./`. Absolute
 * paths count only under `root` (the job's workspace source folder); anything else, and
 * anything climbing out with `..`, is outside the repository and gives undefined.
 */
export function repositoryPath(raw: string, root?: string): string | undefined {
  const path = raw.trim();
  if (path === "" || path.includes("\0")) return undefined;
  if (path.startsWith("/")) {
    if (root === undefined) return undefined;
    return inside(posix.relative(posix.normalize(root), posix.normalize(path)));
  }
  return inside(posix.normalize(path));
}

function inside(relative: string): string | undefined {
  const path = relative.replace(/\/+$/, "");
  if (path === "" || path === "." || path === ".." || path.startsWith("../")) return undefined;
  if (path.startsWith("/")) return undefined;
  return path;
}

/**
 * Cobertura's `<source>` roots joined with a class's filename. coverage.py writes each file
 * relative to one of its sources; the first source inside the repository that gives a
 * repository path wins.
 */
export function resolveAgainstSources(
  filename: string,
  sources: readonly string[],
  root?: string,
): string | undefined {
  if (filename.startsWith("/")) return repositoryPath(filename, root);
  for (const source of sources) {
    const joined = posix.join(source, filename);
    if (source.startsWith("/") && root === undefined) continue;
    const path = repositoryPath(joined, root);
    if (path !== undefined) return path;
  }
  return sources.length === 0 || root === undefined ? repositoryPath(filename) : undefined;
}
