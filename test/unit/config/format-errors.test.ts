import { describe, expect, it } from "vitest";
import { formatConfigErrors, type ConfigError } from "../../../src/config/index.js";
import { formatPath, orderErrors } from "../../../src/config/errors.js";

const error = (line: number, column: number, message = "m"): ConfigError => ({
  file: "f.yml",
  line,
  column,
  key: "k",
  message,
});

describe("formatConfigErrors", () => {
  it("prints one file:line:column: message line per error", () => {
    const errors = [
      {
        file: ".github/pylot.yml",
        line: 1,
        column: 1,
        key: "pyhton",
        message: 'unknown key "pyhton"',
      },
      { file: ".github/pylot.yml", line: 3, column: 14, key: "x", message: "second" },
    ];

    const text = formatConfigErrors(errors);

    expect(text).toBe(
      '.github/pylot.yml:1:1: unknown key "pyhton"\n.github/pylot.yml:3:14: second',
    );
  });

  it("prints nothing for no errors", () => {
    const text = formatConfigErrors([]);

    expect(text).toBe("");
  });
});

describe("formatPath", () => {
  it.each([
    { path: [], expected: "(root)" },
    { path: ["python"], expected: "python" },
    { path: ["python", 1], expected: "python[1]" },
    { path: ["lint", "flake8", "args", 0], expected: "lint.flake8.args[0]" },
    { path: ["matrix", "include", 2, "django"], expected: "matrix.include[2].django" },
    { path: ["deploy", "prod env"], expected: "deploy.prod env" },
    { path: ["a\nb"], expected: "a\\nb" },
    { path: ["x".repeat(100)], expected: `${"x".repeat(39)}…` },
  ])("$path → $expected", ({ path, expected }) => {
    const text = formatPath(path);

    expect(text).toBe(expected);
  });
});

describe("orderErrors", () => {
  it("sorts by line then column and drops exact repeats", () => {
    const errors = [error(3, 1), error(1, 5), error(1, 2), error(1, 5)];

    const ordered = orderErrors(errors);

    expect(ordered.map((e) => [e.line, e.column])).toEqual([
      [1, 2],
      [1, 5],
      [3, 1],
    ]);
  });

  it("keeps 50 errors and summarises the rest, counting unlisted ones", () => {
    const errors = Array.from({ length: 60 }, (_, i) => error(i + 1, 1));

    const ordered = orderErrors(errors, 5);

    expect(ordered).toHaveLength(51);
    expect(ordered[50]).toEqual({
      file: "f.yml",
      line: 50,
      column: 1,
      key: "(root)",
      message: "15 more problems not shown; fix these first",
    });
  });
});
