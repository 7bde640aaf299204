import { describe, expect, it } from "vitest";
import { readProjectFacts, topLevelModules } from "../../../src/runner/project.js";
import { fixture } from "./harness.js";

describe("project facts of the fixture projects", () => {
  it.each([
    ["ok", ["okcalc", "tests"]],
    ["lint-fail", ["messy"]],
    ["sleepy", ["sleeper.py"]],
  ])("%s has top-level modules %j", async (name, modules) => {
    const found = await topLevelModules(fixture(name));

    expect(found).toEqual(modules);
  });

  it("reads packaging metadata and requirements", async () => {
    const facts = await readProjectFacts(fixture("ok"));

    expect(facts).toMatchObject({
      files: [".coveragerc", "pyproject.toml"],
      setupPy: false,
      setupCfg: false,
    });
    expect(facts.pyproject).toContain('build-backend = "setuptools.build_meta"');
  });
});
