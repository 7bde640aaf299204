import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfigText, type ConfigError } from "../../../src/config/index.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), "utf8");

type Reported = Omit<ConfigError, "file">;

function errorsOf(text: string): Reported[] {
  const result = parseConfigText(text);
  if (result.ok) throw new Error("expected errors, the config was valid");
  return result.errors.map(({ line, column, key, message }) => ({ line, column, key, message }));
}

describe("parseConfigText: unknown keys", () => {
  it.each([
    {
      text: 'pyhton: ["3.12"]',
      error: {
        line: 1,
        column: 1,
        key: "pyhton",
        message: 'unknown key "pyhton" (did you mean "python"?)',
      },
    },
    {
      text: "lint:\n  flake9: {}",
      error: {
        line: 2,
        column: 3,
        key: "lint.flake9",
        message: 'unknown key "flake9" in "lint" (did you mean "flake8"?)',
      },
    },
    {
      text: "timeout_minutes: 10",
      error: {
        line: 1,
        column: 1,
        key: "timeout_minutes",
        message: 'unknown key "timeout_minutes" (did you mean "timeout-minutes"?)',
      },
    },
    {
      text: "lint:\n  mypy: {}",
      error: {
        line: 2,
        column: 3,
        key: "lint.mypy",
        message: 'unknown key "mypy" in "lint" (did you mean "typecheck.mypy"?)',
      },
    },
    {
      text: "coverage: { minimum: 80 }",
      error: {
        line: 1,
        column: 1,
        key: "coverage",
        message: 'unknown key "coverage" (did you mean "test.coverage"?)',
      },
    },
    {
      text: "kubernetes: true",
      error: {
        line: 1,
        column: 1,
        key: "kubernetes",
        message:
          'unknown key "kubernetes"; allowed: python, os, venv, matrix, timeout-minutes, install, lint, typecheck, security, test, build, integration, deploy',
      },
    },
    {
      text: "docker: { file: Dockerfile }",
      error: {
        line: 1,
        column: 1,
        key: "docker",
        message: 'unknown key "docker" (did you mean "build.docker"?)',
      },
    },
    {
      text: "lint:\n  flake8:\n    max-line-length: 100",
      error: {
        line: 3,
        column: 5,
        key: "lint.flake8.max-line-length",
        message:
          'unknown key "max-line-length" in "lint.flake8"; allowed: args. Pass other options to the tool in "args", e.g. args: ["--max-line-length=100"]',
      },
    },
    {
      text: "deploy:\n  prod: { run: x, auto: { branch: main, tag: v1 } }",
      error: {
        line: 2,
        column: 41,
        key: "deploy.prod.auto.tag",
        message: 'unknown key "tag" in "deploy.prod.auto"; allowed: branch',
      },
    },
    {
      text: "base: &b { flake8: {} }\nlint:\n  <<: *b",
      error: {
        line: 3,
        column: 3,
        key: "lint.<<",
        message: 'unknown key "<<" in "lint": YAML 1.2 has no merge keys; write the keys out',
      },
    },
  ])("$error.message", ({ text, error }) => {
    const errors = errorsOf(text).filter((e) => e.key !== "base");

    expect(errors).toEqual([error]);
  });
});

describe("parseConfigText: wrong values", () => {
  it.each([
    {
      text: "security:\n  bandit:\n    fail-on: hgh",
      error: {
        line: 3,
        column: 14,
        key: "security.bandit.fail-on",
        message:
          '"security.bandit.fail-on" is "hgh"; allowed: none, low, medium, high (did you mean "high"?)',
      },
    },
    {
      text: "security: { bandit: { confidence: 3 } }",
      error: {
        line: 1,
        column: 35,
        key: "security.bandit.confidence",
        message: '"security.bandit.confidence" is 3; allowed: low, medium, high',
      },
    },
    {
      text: "deploy:\n  prod:\n    run: x\n    allow: [Admin]",
      error: {
        line: 4,
        column: 13,
        key: "deploy.prod.allow[0]",
        message:
          '"deploy.prod.allow[0]" is "Admin"; allowed: read, triage, write, maintain, admin (did you mean "admin"?)',
      },
    },
    {
      text: "install: pip install -e .",
      error: {
        line: 1,
        column: 10,
        key: "install",
        message:
          '"install" is a string ("pip install -e ."); expected a list of strings, e.g. ["pip install -e ."]',
      },
    },
    {
      text: "os: linux",
      error: {
        line: 1,
        column: 5,
        key: "os",
        message: '"os" is a string ("linux"); expected a list of strings, e.g. ["linux"]',
      },
    },
    {
      text: "lint:\n  flake8: true",
      error: {
        line: 2,
        column: 11,
        key: "lint.flake8",
        message:
          '"lint.flake8" is true; expected false to disable it, or a mapping of options ({} for the defaults)',
      },
    },
    {
      text: "lint:\n  flake8:\n",
      error: {
        line: 2,
        column: 3,
        key: "lint.flake8",
        message:
          '"lint.flake8" is empty; expected false to disable it, or a mapping of options ({} for the defaults)',
      },
    },
    {
      text: "test:\n  coverage: yes",
      error: {
        line: 2,
        column: 13,
        key: "test.coverage",
        message:
          '"test.coverage" is a string ("yes"); expected false to disable it, or a mapping of options ({} for the defaults)',
      },
    },
    {
      text: "venv: true",
      error: {
        line: 1,
        column: 7,
        key: "venv",
        message: '"venv" is true; expected a mapping with keys: system-site-packages',
      },
    },
    {
      text: "build: { wheel: 'yes' }",
      error: {
        line: 1,
        column: 17,
        key: "build.wheel",
        message: '"build.wheel" is a string ("yes"); expected true or false',
      },
    },
    {
      text: "timeout-minutes: 0",
      error: {
        line: 1,
        column: 18,
        key: "timeout-minutes",
        message: '"timeout-minutes" is 0; expected a number greater than 0',
      },
    },
    {
      text: "timeout-minutes: 5000",
      error: {
        line: 1,
        column: 18,
        key: "timeout-minutes",
        message: '"timeout-minutes" is 5000; expected a number at most 1440',
      },
    },
    {
      text: "test: { coverage: { minimum: 120 } }",
      error: {
        line: 1,
        column: 30,
        key: "test.coverage.minimum",
        message: '"test.coverage.minimum" is 120; expected a number at most 100',
      },
    },
    {
      text: "matrix:\n  max-parallel: 2.5",
      error: {
        line: 2,
        column: 17,
        key: "matrix.max-parallel",
        message: '"matrix.max-parallel" is 2.5 (a number); expected a whole number',
      },
    },
    {
      text: "python: []",
      error: {
        line: 1,
        column: 9,
        key: "python",
        message: '"python" is an empty list; list at least one item',
      },
    },
    {
      text: "test: { run: '' }",
      error: {
        line: 1,
        column: 14,
        key: "test.run",
        message: '"test.run" is an empty string; expected some text',
      },
    },
    {
      text: "os: ['ubuntu latest']",
      error: {
        line: 1,
        column: 6,
        key: "os[0]",
        message: "\"os[0]\" is \"ubuntu latest\"; use only letters, digits, '.', '_' or '-'",
      },
    },
    {
      text: 'python: ["3.12.1"]',
      error: {
        line: 1,
        column: 10,
        key: "python[0]",
        message:
          '"python[0]" is "3.12.1"; expected a Python version such as "3.12" (did you mean "3.12"?)',
      },
    },
    {
      text: "deploy:\n  staging:\n    allow: [write]",
      error: {
        line: 2,
        column: 3,
        key: "deploy.staging.run",
        message:
          '"deploy.staging" is missing "run" (command run on a runner with the environment\'s secrets)',
      },
    },
    {
      text: "deploy:\n  staging: { run: x, health: { url: ftp://x/health } }",
      error: {
        line: 2,
        column: 37,
        key: "deploy.staging.health.url",
        message: '"deploy.staging.health.url" is "ftp://x/health"; expected an http(s) URL',
      },
    },
    {
      text: "deploy:\n  staging: { run: x, health: { url: https://x/health, timeout: 601 } }",
      error: {
        line: 2,
        column: 64,
        key: "deploy.staging.health.timeout",
        message: '"deploy.staging.health.timeout" is 601; expected a number at most 600',
      },
    },
    {
      text: "deploy:\n  prod env: { run: x }",
      error: {
        line: 2,
        column: 3,
        key: "deploy.prod env",
        message:
          "invalid name \"prod env\" in \"deploy\"; use only letters, digits, '.', '_' or '-'",
      },
    },
    {
      text: 'matrix:\n  include: [{ python: ["3.12"] }]',
      error: {
        line: 2,
        column: 23,
        key: "matrix.include[0].python",
        message: '"matrix.include[0].python" is a list; expected a string or a number',
      },
    },
    {
      text: "- python\n- os",
      error: {
        line: 1,
        column: 1,
        key: "(root)",
        message:
          'the file must be a mapping of settings such as "python:" and "lint:"; found a list',
      },
    },
    {
      text: "_extends: 5",
      error: {
        line: 1,
        column: 11,
        key: "_extends",
        message: '"_extends" is 5; expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"',
      },
    },
  ])("$error.message", ({ text, error }) => {
    const errors = errorsOf(text);

    expect(errors).toEqual([error]);
  });
});

describe("parseConfigText: the unquoted 3.10 trap", () => {
  it.each([
    {
      text: 'python: ["3.9", 3.10]',
      error: {
        line: 1,
        column: 17,
        key: "python[1]",
        message: '"python[1]" is 3.1 (a number); write versions as strings: "3.10"',
      },
    },
    {
      text: "python: [3.12]",
      error: {
        line: 1,
        column: 10,
        key: "python[0]",
        message: '"python[0]" is 3.12 (a number); write versions as strings: "3.12"',
      },
    },
    {
      text: "python: 3.10",
      error: {
        line: 1,
        column: 9,
        key: "python",
        message: '"python" is 3.1 (a number); write versions as a list of strings: ["3.10"]',
      },
    },
    {
      text: 'python: ["3.10"]\ntest:\n  coverage:\n    on: { python: 3.10 }',
      error: {
        line: 4,
        column: 19,
        key: "test.coverage.on.python",
        message: '"test.coverage.on.python" is 3.1 (a number); write versions as strings: "3.10"',
      },
    },
    {
      text: "matrix:\n  include: [{ python: 3.10 }]",
      error: {
        line: 2,
        column: 23,
        key: "matrix.include[0].python",
        message: '"matrix.include[0].python" is 3.1 (a number); write versions as strings: "3.10"',
      },
    },
    {
      text: "lint: { flake8: { args: [--max-line-length, 100] } }",
      error: {
        line: 1,
        column: 45,
        key: "lint.flake8.args[1]",
        message: '"lint.flake8.args[1]" is 100 (a number); write it as a string: "100"',
      },
    },
  ])("$error.message", ({ text, error }) => {
    const errors = errorsOf(text);

    expect(errors).toEqual([error]);
  });

  it("reports the fixture's unquoted version where it is written", () => {
    const errors = errorsOf(fixture("version-trap.yml"));

    expect(errors).toEqual([
      {
        line: 1,
        column: 17,
        key: "python[1]",
        message: '"python[1]" is 3.1 (a number); write versions as strings: "3.10"',
      },
    ]);
  });
});

describe("parseConfigText: rules across keys", () => {
  it.each([
    {
      text: "deploy:\n  staging: { run: a }\n  production: { run: b, requires: [stagin] }",
      error: {
        line: 3,
        column: 36,
        key: "deploy.production.requires[0]",
        message:
          '"deploy.production.requires[0]" is "stagin", which is not an environment under "deploy" (did you mean "staging"?)',
      },
    },
    {
      text: "deploy:\n  production: { run: b, requires: [qa] }",
      error: {
        line: 2,
        column: 36,
        key: "deploy.production.requires[0]",
        message:
          '"deploy.production.requires[0]" is "qa", which is not an environment under "deploy"; environments: production',
      },
    },
    {
      text: "deploy:\n  staging: { run: a, requires: [staging] }",
      error: {
        line: 2,
        column: 33,
        key: "deploy.staging.requires[0]",
        message: '"deploy.staging.requires[0]" is "staging": an environment cannot require itself',
      },
    },
    {
      text: "deploy:\n  a: { run: a, requires: [c] }\n  b: { run: b, requires: [a] }\n  c: { run: c, requires: [b] }",
      error: {
        line: 3,
        column: 27,
        key: "deploy.b.requires[0]",
        message:
          '"deploy.b.requires[0]" is "a", which closes a cycle: a → c → b → a; none of them could ever deploy',
      },
    },
    {
      text: 'python: ["3.12"]\nintegration:\n  run: python -m pytest tests/integration',
      error: {
        line: 2,
        column: 1,
        key: "integration",
        message: '"integration" tests the built wheel: set "build.wheel: true"',
      },
    },
    {
      text: 'matrix:\n  exclude: [{ pyton: "3.10" }]',
      error: {
        line: 2,
        column: 15,
        key: "matrix.exclude[0].pyton",
        message:
          '"matrix.exclude[0]" uses "pyton", which is not a matrix axis (did you mean "python"?)',
      },
    },
    {
      text: 'matrix:\n  include: [{ django: "5.0" }]\n  exclude: [{ flask: "3" }]',
      error: {
        line: 3,
        column: 15,
        key: "matrix.exclude[0].flask",
        message:
          '"matrix.exclude[0]" uses "flask", which is not a matrix axis; axes: python, os, django',
      },
    },
    {
      text: "test:\n  coverage:\n    on: { djngo: '4.2' }\nmatrix:\n  include: [{ django: '4.2' }]",
      error: {
        line: 3,
        column: 11,
        key: "test.coverage.on.djngo",
        message:
          '"test.coverage.on" uses "djngo", which is not a matrix axis (did you mean "django"?)',
      },
    },
    {
      text: "python: ['3.10', '3.11']\ntest:\n  coverage:\n    on: { python: '3.9' }",
      error: {
        line: 4,
        column: 19,
        key: "test.coverage.on.python",
        message:
          '"test.coverage.on.python" is "3.9"; no leg of the matrix has it (python: 3.10, 3.11), so coverage would never be measured',
      },
    },
    {
      text: "test:\n  coverage:\n    on: { os: linx }",
      error: {
        line: 3,
        column: 15,
        key: "test.coverage.on.os",
        message:
          '"test.coverage.on.os" is "linx" (did you mean "linux"?); no leg of the matrix has it, so coverage would never be measured',
      },
    },
    {
      text: "deploy:\n  __proto__: { run: x }",
      error: {
        line: 2,
        column: 3,
        key: "deploy.__proto__",
        message: '"deploy" uses the reserved name "__proto__"; rename it',
      },
    },
  ])("$error.message", ({ text, error }) => {
    const errors = errorsOf(text);

    expect(errors).toEqual([error]);
  });

  it("accepts a coverage leg added by matrix.include", () => {
    const text =
      "python: ['3.11']\nmatrix:\n  include: [{ python: '3.13' }]\ntest:\n  coverage:\n    on: { python: '3.13' }";

    const result = parseConfigText(text);

    expect(result.ok).toBe(true);
  });

  it("does not check coverage.on python values when the matrix uses the default interpreter", () => {
    const result = parseConfigText("test:\n  coverage:\n    on: { python: '3.12' }");

    expect(result.ok).toBe(true);
  });
});

describe("parseConfigText: YAML problems", () => {
  it.each([
    {
      name: "a value with an unquoted colon",
      text: fixture("broken-syntax.yml"),
      error: {
        line: 3,
        column: 8,
        key: "(root)",
        message:
          'YAML syntax error: nested mappings are not allowed in compact mappings; quote values that contain ": "',
      },
    },
    {
      name: "an unclosed quote",
      text: 'test:\n  run: "python -m pytest\n',
      error: {
        line: 3,
        column: 1,
        key: "(root)",
        message: 'YAML syntax error: missing closing "quote; close the quote or bracket',
      },
    },
    {
      name: "a tab used for indentation",
      text: "lint:\n\tflake8: {}\n",
      error: {
        line: 2,
        column: 1,
        key: "(root)",
        message: "YAML syntax error: tabs are not allowed as indentation; indent with spaces",
      },
    },
    {
      name: "two documents",
      text: "python: ['3.11']\n---\nos: [linux]\n",
      error: {
        line: 2,
        column: 1,
        key: "(root)",
        message: 'the file holds more than one YAML document (a second "---"); Pylot reads one',
      },
    },
    {
      name: "an alias to an anchor never defined",
      text: "python: *versions\n",
      error: {
        line: 1,
        column: 9,
        key: "python",
        message: 'unknown alias "*versions": define the anchor "&versions" before using it',
      },
    },
  ])("reports $name", ({ text, error }) => {
    const errors = errorsOf(text);

    expect(errors).toEqual([error]);
  });

  it("reports every duplicate key, at the second occurrence", () => {
    const errors = errorsOf(fixture("duplicate-keys.yml"));

    expect(errors).toEqual([
      {
        line: 4,
        column: 3,
        key: "lint.black",
        message: 'duplicate key "black" (first set on line 3); keep one',
      },
      {
        line: 5,
        column: 1,
        key: "python",
        message: 'duplicate key "python" (first set on line 1); keep one',
      },
    ]);
  });

  it("reports every typo of the fixture in file order, with the file name", () => {
    const result = parseConfigText(fixture("typos.yml"), "repo/.github/pylot.yml");

    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: "repo/.github/pylot.yml",
          line: 1,
          column: 1,
          key: "pyhton",
          message: 'unknown key "pyhton" (did you mean "python"?)',
        },
        {
          file: "repo/.github/pylot.yml",
          line: 3,
          column: 3,
          key: "lint.flake9",
          message: 'unknown key "flake9" in "lint" (did you mean "flake8"?)',
        },
        {
          file: "repo/.github/pylot.yml",
          line: 6,
          column: 14,
          key: "security.bandit.fail-on",
          message:
            '"security.bandit.fail-on" is "hgh"; allowed: none, low, medium, high (did you mean "high"?)',
        },
        {
          file: "repo/.github/pylot.yml",
          line: 7,
          column: 1,
          key: "timeout_minutes",
          message: 'unknown key "timeout_minutes" (did you mean "timeout-minutes"?)',
        },
      ],
    });
  });
});
