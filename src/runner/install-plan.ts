import { hasPackagingMetadata, tableBody, type ProjectFacts } from "./project.js";

/**
 * How a project installs itself when the config names no `install`, read from its root files:
 * a lock file names the project's own tool (uv, then poetry, then pipenv) and that tool alone
 * installs; otherwise pip installs each `requirements*.txt` (requirements.txt first), then the
 * project itself with its `test`/`dev` extras when pyproject.toml declares them. Pure.
 */
export function detectInstall(facts: ProjectFacts): string[] {
  const files = new Set(facts.files);
  // The job's venv is active (VIRTUAL_ENV): poetry and pipenv use it; uv is told to.
  if (files.has("uv.lock")) return ['UV_PROJECT_ENVIRONMENT="$VIRTUAL_ENV" uv sync --frozen'];
  if (files.has("poetry.lock")) return ["poetry install --no-interaction"];
  if (files.has("Pipfile.lock")) return ["pipenv install --dev --deploy"];
  const commands = requirementFiles(facts.files).map((file) => `python -m pip install -r ${file}`);
  if (hasPackagingMetadata(facts)) {
    const extras = declaredExtras(facts.pyproject).filter((extra) => WANTED_EXTRAS.has(extra));
    commands.push(
      extras.length === 0
        ? "python -m pip install ."
        : `python -m pip install '.[${extras.join(",")}]'`,
    );
  }
  return commands;
}

const WANTED_EXTRAS: ReadonlySet<string> = new Set(["test", "tests", "testing", "dev"]);

/** requirements.txt first, then the other `requirements*.txt` in name order. */
export function requirementFiles(files: readonly string[]): string[] {
  const found = files.filter((file) => /^requirements[\w.-]*\.txt$/.test(file)).sort();
  return [
    ...found.filter((f) => f === "requirements.txt"),
    ...found.filter((f) => f !== "requirements.txt"),
  ];
}

/**
 * The extras of `[project.optional-dependencies]`, as a table or an inline table under
 * `[project]`. A line-based read, not a TOML parser: names are all we need.
 */
export function declaredExtras(pyproject: string | undefined): string[] {
  if (pyproject === undefined) return [];
  const table = tableBody(pyproject, "project.optional-dependencies");
  if (table !== undefined) {
    return [...table.matchAll(/^[ \t]*["']?([A-Za-z0-9][\w.-]*)["']?[ \t]*=/gm)].flatMap((m) =>
      m[1] === undefined ? [] : [m[1]],
    );
  }
  const project = tableBody(pyproject, "project");
  const inline =
    project === undefined
      ? null
      : /^[ \t]*optional-dependencies[ \t]*=[ \t]*\{(.*)\}/m.exec(project);
  if (inline?.[1] === undefined) return [];
  return [...inline[1].matchAll(/(?:^|,)[ \t]*["']?([A-Za-z0-9][\w.-]*)["']?[ \t]*=/g)].flatMap(
    (m) => (m[1] === undefined ? [] : [m[1]]),
  );
}

/** The tools install commands may name, and how to get each onto a runner. */
const TOOL_HINTS: Readonly<Record<string, string>> = {
  poetry: "pipx install poetry",
  pipenv: "pipx install pipenv",
  uv: "pipx install uv",
  pdm: "pipx install pdm",
  hatch: "pipx install hatch",
};

/**
 * What to say when an install command failed because its tool is missing: the shell's exit 127
 * ("command not found") for a command that starts with a known tool. Undefined otherwise.
 */
export function missingToolMessage(command: string, exitCode: number | null): string | undefined {
  if (exitCode !== 127) return undefined;
  const words = command
    .trim()
    .split(/\s+/)
    .filter((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  const tool = words[0];
  if (tool === undefined || !Object.hasOwn(TOOL_HINTS, tool)) return undefined;
  return `${tool} is not installed on this runner: ${TOOL_HINTS[tool] ?? ""}`;
}
