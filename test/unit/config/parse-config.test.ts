import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PylotConfigSchema, parseConfigText, type PylotConfig } from "../../../src/config/index.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), "utf8");

const DEFAULTS: PylotConfig = {
  os: ["linux"],
  venv: { "system-site-packages": false },
  matrix: { include: [], exclude: [], "fail-fast": true },
  "timeout-minutes": 20,
  lint: { flake8: { args: [] }, black: { args: [] }, pylint: false },
  typecheck: { mypy: { paths: ["."], args: [] } },
  security: { bandit: { paths: ["."], "fail-on": "high", confidence: "medium", args: [] } },
  test: { run: "python -m pytest", coverage: {} },
  build: { wheel: false },
  deploy: {},
};

function parsed(text: string): PylotConfig {
  const result = parseConfigText(text);
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.config;
}

describe("parseConfigText: defaults", () => {
  it.each([
    { name: "an empty file", text: "" },
    { name: "only comments", text: "# nothing to see\n\n# here\n" },
    { name: "an explicit null document", text: "~\n" },
    { name: "an empty mapping", text: "{}\n" },
  ])("gives the defaults for $name", ({ text }) => {
    const config = parsed(text);

    expect(config).toEqual(DEFAULTS);
  });

  it("matches the schema's own defaults", () => {
    const defaults = PylotConfigSchema.parse({});

    expect(defaults).toEqual(DEFAULTS);
  });
});

describe("parseConfigText: every contract key", () => {
  it.each([
    {
      text: 'python: ["3.10", "3.12"]',
      pick: (c: PylotConfig) => c.python,
      expected: ["3.10", "3.12"],
    },
    {
      text: "os: [linux, windows]",
      pick: (c: PylotConfig) => c.os,
      expected: ["linux", "windows"],
    },
    {
      text: "venv: { system-site-packages: true }",
      pick: (c: PylotConfig) => c.venv,
      expected: { "system-site-packages": true },
    },
    {
      text: 'matrix: { include: [{ python: "3.13", django: 5 }] }',
      pick: (c: PylotConfig) => c.matrix.include,
      expected: [{ python: "3.13", django: "5" }],
    },
    {
      text: 'matrix: { exclude: [{ python: "3.10", os: linux }] }',
      pick: (c: PylotConfig) => c.matrix.exclude,
      expected: [{ python: "3.10", os: "linux" }],
    },
    {
      text: "matrix: { fail-fast: false }",
      pick: (c: PylotConfig) => c.matrix["fail-fast"],
      expected: false,
    },
    {
      text: "matrix: { max-parallel: 2 }",
      pick: (c: PylotConfig) => c.matrix["max-parallel"],
      expected: 2,
    },
    { text: "timeout-minutes: 45", pick: (c: PylotConfig) => c["timeout-minutes"], expected: 45 },
    { text: "timeout-minutes: 0.5", pick: (c: PylotConfig) => c["timeout-minutes"], expected: 0.5 },
    {
      text: 'install: ["pip install -e .[test]", "pip install tox"]',
      pick: (c: PylotConfig) => c.install,
      expected: ["pip install -e .[test]", "pip install tox"],
    },
    {
      text: 'lint: { flake8: { args: ["--max-line-length=100"] } }',
      pick: (c: PylotConfig) => c.lint.flake8,
      expected: { args: ["--max-line-length=100"] },
    },
    { text: "lint: { flake8: false }", pick: (c: PylotConfig) => c.lint.flake8, expected: false },
    { text: "lint: { black: false }", pick: (c: PylotConfig) => c.lint.black, expected: false },
    { text: "lint: { black: {} }", pick: (c: PylotConfig) => c.lint.black, expected: { args: [] } },
    {
      text: "lint: { pylint: {} }",
      pick: (c: PylotConfig) => c.lint.pylint,
      expected: { args: [] },
    },
    {
      text: "typecheck: { mypy: { paths: [src, tests] } }",
      pick: (c: PylotConfig) => c.typecheck.mypy,
      expected: { paths: ["src", "tests"], args: [] },
    },
    {
      text: "typecheck: { mypy: false }",
      pick: (c: PylotConfig) => c.typecheck.mypy,
      expected: false,
    },
    {
      text: "security: { bandit: { paths: [src], fail-on: low, confidence: high } }",
      pick: (c: PylotConfig) => c.security.bandit,
      expected: { paths: ["src"], "fail-on": "low", confidence: "high", args: [] },
    },
    {
      text: "security: { bandit: { fail-on: none } }",
      pick: (c: PylotConfig) => c.security.bandit,
      expected: { paths: ["."], "fail-on": "none", confidence: "medium", args: [] },
    },
    {
      text: "security: { bandit: false }",
      pick: (c: PylotConfig) => c.security.bandit,
      expected: false,
    },
    {
      text: "test: { run: tox -e py }",
      pick: (c: PylotConfig) => c.test.run,
      expected: "tox -e py",
    },
    {
      text: 'test: { coverage: { minimum: 80, diff-minimum: 90, on: { python: "3.12" } } }\npython: ["3.12"]',
      pick: (c: PylotConfig) => c.test.coverage,
      expected: { minimum: 80, "diff-minimum": 90, on: { python: "3.12" } },
    },
    {
      text: "test: { coverage: false }",
      pick: (c: PylotConfig) => c.test.coverage,
      expected: false,
    },
    { text: "build: { wheel: true }", pick: (c: PylotConfig) => c.build.wheel, expected: true },
    {
      text: "deploy: { staging: { run: ./deploy.sh staging } }",
      pick: (c: PylotConfig) => c.deploy.staging,
      expected: { run: "./deploy.sh staging", allow: ["write"], requires: [] },
    },
    {
      text: "deploy:\n  staging: { run: a, auto: { branch: main } }\n  production: { run: b, allow: [maintain, admin], requires: [staging] }",
      pick: (c: PylotConfig) => c.deploy.production,
      expected: { run: "b", allow: ["maintain", "admin"], requires: ["staging"] },
    },
    {
      text: "deploy: { staging: { run: a, auto: { branch: main } } }",
      pick: (c: PylotConfig) => c.deploy.staging?.auto,
      expected: { branch: "main" },
    },
    { text: "_extends: my-org/.github", pick: (c: PylotConfig) => c, expected: DEFAULTS },
  ])("accepts $text", ({ text, pick, expected }) => {
    const config = parsed(text);

    expect(pick(config)).toEqual(expected);
  });

  it("reads the fixture that uses every key", () => {
    const config = parsed(fixture("full.yml"));

    expect(config).toEqual({
      python: ["3.10", "3.11", "3.12"],
      os: ["linux", "macos"],
      venv: { "system-site-packages": true },
      matrix: {
        include: [{ python: "3.13", os: "linux", django: "5.0" }],
        exclude: [{ python: "3.10", os: "macos" }],
        "fail-fast": false,
        "max-parallel": 4,
      },
      "timeout-minutes": 30,
      install: ["python -m pip install -e .[test]"],
      lint: {
        flake8: { args: ["--max-line-length=100"] },
        black: { args: [] },
        pylint: { args: ["--disable=C0114"] },
      },
      typecheck: { mypy: { paths: ["src"], args: ["--strict"] } },
      security: {
        bandit: { paths: ["src"], "fail-on": "medium", confidence: "high", args: ["-x", "tests"] },
      },
      test: {
        run: "python -m pytest -q",
        coverage: { minimum: 80, "diff-minimum": 90, on: { python: "3.12", os: "linux" } },
      },
      build: { wheel: true },
      deploy: {
        staging: {
          run: "./scripts/deploy.sh staging",
          allow: ["write"],
          auto: { branch: "main" },
          requires: [],
        },
        production: {
          run: "./scripts/deploy.sh production",
          allow: ["admin"],
          requires: ["staging"],
        },
      },
    });
  });

  it("accepts YAML anchors and aliases used within reason", () => {
    const text =
      "install: &steps [pip install -e .]\ntest: { run: pytest }\nlint:\n  flake8: { args: *steps }\n";

    const config = parsed(text);

    expect(config.lint.flake8).toEqual({ args: ["pip install -e ."] });
  });
});
