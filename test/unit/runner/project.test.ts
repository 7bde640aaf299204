import { describe, expect, it } from "vitest";
import {
  buildBackendModule,
  detectInstall,
  hasPackagingMetadata,
  type ProjectFacts,
} from "../../../src/runner/project.js";

const facts = (overrides: Partial<ProjectFacts>): ProjectFacts => ({
  requirementsTxt: false,
  pyproject: undefined,
  setupPy: false,
  setupCfg: false,
  ...overrides,
});

const PEP621 = '[project]\nname = "x"\nversion = "1"\n';
const TOOLS_ONLY = "[tool.black]\nline-length = 100\n\n[tool.pytest.ini_options]\naddopts = '-q'\n";

describe("detectInstall", () => {
  it.each([
    { name: "nothing", input: facts({}), commands: [] },
    {
      name: "requirements.txt",
      input: facts({ requirementsTxt: true }),
      commands: ["python -m pip install -r requirements.txt"],
    },
    {
      name: "a [project] table",
      input: facts({ pyproject: PEP621 }),
      commands: ["python -m pip install ."],
    },
    {
      name: "a [build-system] table",
      input: facts({ pyproject: '  [ build-system ]  # backend\nrequires = ["flit_core"]\n' }),
      commands: ["python -m pip install ."],
    },
    { name: "only tool settings", input: facts({ pyproject: TOOLS_ONLY }), commands: [] },
    { name: "setup.py", input: facts({ setupPy: true }), commands: ["python -m pip install ."] },
    { name: "setup.cfg", input: facts({ setupCfg: true }), commands: ["python -m pip install ."] },
    {
      name: "requirements and a package",
      input: facts({ requirementsTxt: true, setupPy: true }),
      commands: ["python -m pip install -r requirements.txt", "python -m pip install ."],
    },
  ])("$name", ({ input, commands }) => {
    const detected = detectInstall(input);

    expect(detected).toEqual(commands);
  });

  it("does not take a [project.urls] table for a [project] one", () => {
    const metadata = hasPackagingMetadata(facts({ pyproject: '[project.urls]\nHome = "x"\n' }));

    expect(metadata).toBe(false);
  });
});

describe("buildBackendModule", () => {
  it.each([
    [undefined, "setuptools.build_meta"],
    [PEP621, "setuptools.build_meta"],
    [
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
      "hatchling.build",
    ],
    [
      "[build-system]\nbuild-backend = 'poetry.core.masonry.api'\n[tool.x]\n",
      "poetry.core.masonry.api",
    ],
    [
      '[build-system]\nbuild-backend = "setuptools.build_meta:__legacy__"\n',
      "setuptools.build_meta",
    ],
    [
      '[build-system]\nrequires = []\n[tool.other]\nbuild-backend = "not.this"\n',
      "setuptools.build_meta",
    ],
  ])("%j → %s", (pyproject, module) => {
    const backend = buildBackendModule(pyproject);

    expect(backend).toBe(module);
  });
});
