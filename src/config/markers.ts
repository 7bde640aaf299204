/** Files whose presence at a repository's root makes it a Python project Pylot builds. */
export const PYTHON_MARKER_FILES = ["pyproject.toml", "setup.py", "setup.cfg"] as const;

const REQUIREMENTS = /^requirements.*\.txt$/;

/**
 * Whether the root of a repository looks like a Python project. Takes root entry names
 * (a directory listing or a GitHub tree), so it stays pure; names with a `/` are not at the root.
 */
export function hasPythonMarkers(fileNames: readonly string[]): boolean {
  return fileNames.some((raw) => {
    const name = raw.startsWith("./") ? raw.slice(2) : raw;
    if (name.includes("/")) return false;
    return (PYTHON_MARKER_FILES as readonly string[]).includes(name) || REQUIREMENTS.test(name);
  });
}

/** For messages: "pyproject.toml, setup.py, setup.cfg or requirements*.txt". */
export const PYTHON_MARKERS_TEXT = `${PYTHON_MARKER_FILES.join(", ")} or requirements*.txt`;
