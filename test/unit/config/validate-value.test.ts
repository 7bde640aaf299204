import { describe, expect, it } from "vitest";
import { PylotConfigSchema, validateConfigValue } from "../../../src/config/index.js";

const FILE = ".github/pylot.yml";

describe("validateConfigValue", () => {
  it("accepts the value Probot parsed and fills in the defaults", () => {
    const value = { python: ["3.12"], lint: { pylint: {} } };

    const result = validateConfigValue(value, { file: FILE });

    expect(result).toEqual({
      ok: true,
      config: {
        ...PylotConfigSchema.parse({}),
        python: ["3.12"],
        lint: { flake8: { args: [] }, black: { args: [] }, pylint: { args: [] } },
      },
    });
  });

  it.each([
    { name: "null (an empty file)", value: null },
    { name: "undefined", value: undefined },
    { name: "an empty object", value: {} },
    { name: "a leftover _extends", value: { _extends: "my-org/.github:ci/pylot.yml" } },
  ])("gives the defaults for $name", ({ value }) => {
    const result = validateConfigValue(value, { file: FILE });

    expect(result).toEqual({ ok: true, config: PylotConfigSchema.parse({}) });
  });

  it("points at line 1, column 1 without the text", () => {
    const result = validateConfigValue({ pyhton: ["3.12"] }, { file: FILE });

    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: FILE,
          line: 1,
          column: 1,
          key: "pyhton",
          message: 'unknown key "pyhton" (did you mean "python"?)',
        },
      ],
    });
  });

  it("takes positions from the text when given", () => {
    const text = "# CI\nlint:\n  flake8: {}\nsecurity:\n  bandit: { fail-on: hgh }\n";
    const value = { lint: { flake8: {} }, security: { bandit: { "fail-on": "hgh" } } };

    const result = validateConfigValue(value, { file: FILE, text });

    expect(result).toMatchObject({
      ok: false,
      errors: [{ line: 5, column: 22, key: "security.bandit.fail-on" }],
    });
  });

  it("recovers the written version from the text", () => {
    const result = validateConfigValue({ python: [3.1] }, { file: FILE, text: "python: [3.10]\n" });

    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          line: 1,
          column: 10,
          message: '"python[0]" is 3.1 (a number); write versions as strings: "3.10"',
        },
      ],
    });
  });

  it("names both readings of 3.1 without the text", () => {
    const result = validateConfigValue({ python: [3.1] }, { file: FILE });

    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          message:
            '"python[0]" is 3.1 (a number); write versions as strings: "3.1" (or "3.10" if you meant 3.10: YAML reads it as 3.1)',
        },
      ],
    });
  });

  it("suggests 3.10 for a coverage leg of 3.1 without the text", () => {
    const value = { python: ["3.10", "3.11"], test: { coverage: { on: { python: 3.1 } } } };

    const result = validateConfigValue(value, { file: FILE });

    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          key: "test.coverage.on.python",
          message:
            '"test.coverage.on.python" is "3.1" (did you mean "3.10"?); no leg of the matrix has it, so coverage would never be measured',
        },
      ],
    });
  });

  it("falls back to the nearest key the text has, for values merged from elsewhere", () => {
    const text = "lint:\n  black: {}\n";
    const value = { lint: { black: {}, flake8: { argz: [] } } };

    const result = validateConfigValue(value, { file: FILE, text });

    expect(result).toMatchObject({
      ok: false,
      errors: [{ line: 1, column: 1, key: "lint.flake8.argz" }],
    });
  });

  it.each([
    {
      value: { _extends: 5 },
      message: '"_extends" is 5; expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"',
    },
    {
      value: { _extends: "a b" },
      message:
        '"_extends" is "a b"; expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"',
    },
  ])("refuses a malformed _extends: $value._extends", ({ value, message }) => {
    const result = validateConfigValue(value, { file: FILE });

    expect(result).toMatchObject({ ok: false, errors: [{ key: "_extends", message }] });
  });
});
