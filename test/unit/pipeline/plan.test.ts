import { describe, expect, it } from "vitest";
import { PylotConfigSchema, type PylotConfigInput } from "../../../src/config/schema.js";
import { plan } from "../../../src/pipeline/plan.js";

const planOf = (input: PylotConfigInput) =>
  plan(PylotConfigSchema.parse(input), { defaultPython: "3.11" });

describe("plan", () => {
  it("plans the zero-config pipeline on the runner's default interpreter", () => {
    const pipeline = planOf({});

    expect(pipeline.jobs.map((job) => [job.key, job.name, job.needs])).toEqual([
      ["lint", "lint", []],
      ["typecheck", "typecheck", []],
      ["security", "security", []],
      ["test-3.11-linux", "test (3.11, linux)", []],
      ["coverage", "coverage", ["test-3.11-linux"]],
    ]);
    expect(pipeline.jobs[0]?.steps.map((s) => s.kind)).toEqual(["flake8", "black"]);
    expect(pipeline).toMatchObject({ failFast: true, warnings: [] });
    expect(pipeline.maxParallel).toBeUndefined();
  });

  it("runs lint, typecheck and security once, on the first leg", () => {
    const pipeline = planOf({ python: ["3.12", "3.11"], os: ["linux", "macos"] });

    const once = pipeline.jobs.filter((job) => !job.matrix && job.kind !== "coverage");
    expect(once.map((job) => job.leg)).toEqual([
      { python: "3.12", os: "linux", extra: {} },
      { python: "3.12", os: "linux", extra: {} },
      { python: "3.12", os: "linux", extra: {} },
    ]);
    expect(pipeline.jobs.filter((job) => job.matrix).map((job) => job.name)).toEqual([
      "test (3.12, linux)",
      "test (3.12, macos)",
      "test (3.11, linux)",
      "test (3.11, macos)",
    ]);
  });

  it("measures coverage on the leg `test.coverage.on` selects", () => {
    const pipeline = planOf({
      python: ["3.11", "3.12"],
      test: { coverage: { minimum: 80, on: { python: "3.12" } } },
    });

    const measured = pipeline.jobs.filter((job) =>
      job.steps.some((step) => step.kind === "test" && step.coverage),
    );
    expect(measured.map((job) => job.key)).toEqual(["test-3.12-linux"]);
    expect(pipeline.jobs.at(-1)).toMatchObject({
      key: "coverage",
      needs: ["test-3.12-linux"],
      evaluate: { kind: "coverage-gate", minimum: 80 },
    });
  });

  it("warns and falls back to the first leg when the coverage selector matches nothing", () => {
    const pipeline = planOf({ python: ["3.11"], test: { coverage: { on: { python: "3.9" } } } });

    expect(pipeline.warnings).toEqual([
      "test.coverage.on (python=3.9) matches no leg; coverage is measured on the first leg",
    ]);
    expect(pipeline.jobs.find((job) => job.key === "coverage")?.needs).toEqual(["test-3.11-linux"]);
  });

  it.each([
    { name: "lint off", input: { lint: { flake8: false, black: false } }, absent: "lint" },
    { name: "mypy off", input: { typecheck: { mypy: false } }, absent: "typecheck" },
    { name: "bandit off", input: { security: { bandit: false } }, absent: "security" },
    { name: "coverage off", input: { test: { coverage: false } }, absent: "coverage" },
    { name: "no wheel by default", input: {}, absent: "build" },
  ] satisfies { name: string; input: PylotConfigInput; absent: string }[])(
    "$name",
    ({ input, absent }) => {
      const keys = planOf(input).jobs.map((job) => job.key);

      expect(keys).not.toContain(absent);
    },
  );

  it("passes config options through to the steps and jobs", () => {
    const pipeline = planOf({
      "timeout-minutes": 1.5,
      install: ["pip install -e ."],
      venv: { "system-site-packages": true },
      lint: { flake8: { args: ["--max-line-length=100"] }, black: false, pylint: {} },
      security: { bandit: { paths: ["src"], "fail-on": "medium", confidence: "high" } },
      build: { wheel: true },
      matrix: { "fail-fast": false, "max-parallel": 2 },
    });

    const byKey = new Map(pipeline.jobs.map((job) => [job.key, job]));
    expect(byKey.get("lint")?.steps).toEqual([
      { kind: "flake8", args: ["--max-line-length=100"] },
      { kind: "pylint", args: [] },
    ]);
    expect(byKey.get("security")?.steps).toEqual([
      { kind: "bandit", paths: ["src"], failOn: "medium", confidence: "high", args: [] },
    ]);
    expect(byKey.get("build")).toMatchObject({ steps: [{ kind: "wheel" }], needs: [] });
    expect(byKey.get("lint")).toMatchObject({
      timeoutMs: 90_000,
      install: ["pip install -e ."],
      systemSitePackages: true,
    });
    expect(pipeline).toMatchObject({ failFast: false, maxParallel: 2 });
  });
});

describe("plan: the integration stage", () => {
  const service = { name: "db", start: "db-server", ready: "db-ping" };

  it("tests the wheel once per matrix interpreter, after the build, installing nothing else", () => {
    const pipeline = planOf({
      python: ["3.11", "3.12"],
      install: ["python -m pip install -e ."],
      build: { wheel: true },
      integration: { run: "pytest tests/integration", services: [service] },
    });

    const integration = pipeline.jobs.filter((job) => job.kind === "integration");
    expect(integration.map((job) => [job.key, job.name, job.needs, job.install])).toEqual([
      ["integration-3.11", "integration (3.11)", ["build"], []],
      ["integration-3.12", "integration (3.12)", ["build"], []],
    ]);
    expect(integration[0]?.steps).toEqual([
      {
        kind: "integration",
        run: "pytest tests/integration",
        services: [{ ...service, timeoutSeconds: 30 }],
      },
    ]);
  });

  it.each([
    [{ python: ["3.13", "3.13", "3.9"] }, ["integration (3.13)", "integration (3.9)"]],
    [{}, ["integration (3.12)"]],
  ])("uses integration.python %j before the matrix's list", (stage, names) => {
    const pipeline = planOf({
      python: ["3.12"],
      build: { wheel: true },
      integration: { run: "pytest", ...stage },
    });

    const jobs = pipeline.jobs.filter((job) => job.kind === "integration");
    expect(jobs.map((job) => job.name)).toEqual(names);
  });

  it("plans no integration job without the key", () => {
    const pipeline = planOf({ build: { wheel: true } });

    expect(pipeline.jobs.map((job) => job.kind)).not.toContain("integration");
  });
});
