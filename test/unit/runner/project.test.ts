import { describe, expect, it } from "vitest";
import {
  buildBackendModule,
  hasPackagingMetadata,
  type ProjectFacts,
} from "../../../src/runner/project.js";

const facts = (overrides: Partial<ProjectFacts>): ProjectFacts => ({
  files: [],
  pyproject: undefined,
  setupPy: false,
  setupCfg: false,
  ...overrides,
});

const PEP621 = '[project]\nname = "x"\nversion = "1"\n';

describe("hasPackagingMetadata", () => {
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
