import { describe, expect, it } from "vitest";
import {
  declaredExtras,
  detectInstall,
  missingToolMessage,
  requirementFiles,
} from "../../../src/runner/install-plan.js";
import type { ProjectFacts } from "../../../src/runner/project.js";

const facts = (files: string[], pyproject?: string): ProjectFacts => ({
  files,
  pyproject,
  setupPy: files.includes("setup.py"),
  setupCfg: files.includes("setup.cfg"),
});

const PEP621 = '[project]\nname = "x"\nversion = "1"\n';
const TOOLS_ONLY = "[tool.black]\nline-length = 100\n\n[tool.pytest.ini_options]\naddopts = '-q'\n";
const EXTRAS = `${PEP621}\n[project.optional-dependencies]\ntest = ["pytest"]\ndocs = ["sphinx"]\n"dev" = ["black"]\n\n[tool.x]\ny = 1\n`;
const INLINE = `[project]\nname = "x"\noptional-dependencies = { docs = ["a"], tests = ["pytest"] }\n`;

describe("detectInstall", () => {
  it.each([
    { name: "nothing", input: facts([]), commands: [] },
    {
      name: "requirements.txt",
      input: facts(["requirements.txt"]),
      commands: ["python -m pip install -r requirements.txt"],
    },
    {
      name: "several requirements files, requirements.txt first",
      input: facts(["requirements-dev.txt", "requirements.txt", "requirements_test.txt"]),
      commands: [
        "python -m pip install -r requirements.txt",
        "python -m pip install -r requirements-dev.txt",
        "python -m pip install -r requirements_test.txt",
      ],
    },
    {
      name: "a [project] table",
      input: facts(["pyproject.toml"], PEP621),
      commands: ["python -m pip install ."],
    },
    {
      name: "a [build-system] table",
      input: facts(["pyproject.toml"], '  [ build-system ]  # backend\nrequires = ["flit_core"]\n'),
      commands: ["python -m pip install ."],
    },
    {
      name: "declared test and dev extras (not docs)",
      input: facts(["pyproject.toml"], EXTRAS),
      commands: ["python -m pip install '.[test,dev]'"],
    },
    {
      name: "an inline optional-dependencies table",
      input: facts(["pyproject.toml"], INLINE),
      commands: ["python -m pip install '.[tests]'"],
    },
    { name: "only tool settings", input: facts(["pyproject.toml"], TOOLS_ONLY), commands: [] },
    { name: "setup.py", input: facts(["setup.py"]), commands: ["python -m pip install ."] },
    { name: "setup.cfg", input: facts(["setup.cfg"]), commands: ["python -m pip install ."] },
    {
      name: "requirements and a package",
      input: facts(["requirements.txt", "setup.py"]),
      commands: ["python -m pip install -r requirements.txt", "python -m pip install ."],
    },
    {
      name: "Pipfile.lock",
      input: facts(["Pipfile", "Pipfile.lock", "requirements.txt"]),
      commands: ["pipenv install --dev --deploy"],
    },
    {
      name: "poetry.lock",
      input: facts(["poetry.lock", "pyproject.toml"], PEP621),
      commands: ["poetry install --no-interaction"],
    },
    {
      name: "uv.lock, before the other lock files",
      input: facts(["Pipfile.lock", "poetry.lock", "pyproject.toml", "uv.lock"], PEP621),
      commands: ['UV_PROJECT_ENVIRONMENT="$VIRTUAL_ENV" uv sync --frozen'],
    },
    { name: "a Pipfile without its lock", input: facts(["Pipfile"]), commands: [] },
  ])("$name", ({ input, commands }) => {
    const detected = detectInstall(input);

    expect(detected).toEqual(commands);
  });
});

describe("requirementFiles", () => {
  it.each([
    [["README.md", "requirements.in", "requirements.txt.bak"], []],
    [
      ["requirements-docs.txt", "requirements.txt"],
      ["requirements.txt", "requirements-docs.txt"],
    ],
    [
      ["requirements-b.txt", "requirements-a.txt"],
      ["requirements-a.txt", "requirements-b.txt"],
    ],
  ])("picks %j as %j", (files, wanted) => {
    expect(requirementFiles(files)).toEqual(wanted);
  });
});

describe("declaredExtras", () => {
  it.each([
    [undefined, []],
    [PEP621, []],
    [EXTRAS, ["test", "docs", "dev"]],
    [INLINE, ["docs", "tests"]],
  ])("reads the extras of %j", (pyproject, extras) => {
    expect(declaredExtras(pyproject)).toEqual(extras);
  });
});

describe("missingToolMessage", () => {
  it.each([
    [
      "poetry install --no-interaction",
      127,
      "poetry is not installed on this runner: pipx install poetry",
    ],
    [
      "pipenv install --dev --deploy",
      127,
      "pipenv is not installed on this runner: pipx install pipenv",
    ],
    [
      'UV_PROJECT_ENVIRONMENT="$VIRTUAL_ENV" uv sync --frozen',
      127,
      "uv is not installed on this runner: pipx install uv",
    ],
    ["poetry install", 1, undefined],
    ["python -m pip install .", 127, undefined],
    ["make deps", 127, undefined],
    ["", 127, undefined],
  ])("%j exiting %j", (command, exitCode, message) => {
    expect(missingToolMessage(command, exitCode)).toBe(message);
  });
});
