import { describe, expect, it } from "vitest";
import { hasPythonMarkers } from "../../../src/config/index.js";

describe("hasPythonMarkers", () => {
  it.each([
    { names: ["pyproject.toml"], expected: true },
    { names: ["README.md", "setup.py"], expected: true },
    { names: ["setup.cfg"], expected: true },
    { names: ["requirements.txt"], expected: true },
    { names: ["requirements-dev.txt"], expected: true },
    { names: ["./pyproject.toml"], expected: true },
    { names: [], expected: false },
    { names: ["package.json", "README.md"], expected: false },
    { names: ["src/pyproject.toml"], expected: false },
    { names: ["requirements.in"], expected: false },
    { names: ["my-requirements.txt"], expected: false },
    { names: ["setup.py.bak"], expected: false },
  ])("$names → $expected", ({ names, expected }) => {
    const result = hasPythonMarkers(names);

    expect(result).toBe(expected);
  });
});
