import { describe, expect, it } from "vitest";
import { validateConfigValue, type PylotConfigInput } from "../../src/config/index.js";
import { PylotConfigSchema } from "../../src/config/schema.js";
import { createLocalDispatcher } from "../../src/dispatch/index.js";
import { Engine, type EngineGates } from "../../src/engine/engine.js";
import { openStore } from "../../src/store/index.js";
import { recordingReporter, scriptedExecutor, silentLogger } from "../helpers/engine.js";
import { commentModel } from "../../src/github/comment-model.js";
import { withDiffMinimum } from "../../src/github/coverage-gate.js";
import { coverageVerdict } from "../../src/github/pipeline-reports.js";
import { plan } from "../../src/pipeline/index.js";
import type { JobResult } from "../../src/pipeline/types.js";
import type { DiffCoverage, Finding } from "../../src/reports/index.js";
import { completedView, finished, plannedView, withJob } from "../helpers/github-records.js";

const high: Finding = {
  tool: "bandit",
  path: "vault/__init__.py",
  line: 9,
  severity: "error",
  rule: "B602",
  title: "B602 subprocess_popen_with_shell_equals_true",
  message: "subprocess call with shell=True identified, security issue.",
  toolSeverity: "high",
  confidence: "high",
  code: "return subprocess.call(command, shell=True)",
};

const diff = (covered: number, executable: number): DiffCoverage => ({
  files: [],
  totals:
    executable === 0
      ? { executable, covered }
      : { executable, covered, percent: (covered * 100) / executable },
});

describe("coverageVerdict", () => {
  it.each([
    [{ total: 85 }, "success", "coverage 85.00%"],
    [{ total: 85, minimum: 80 }, "success", "coverage 85.00% (minimum 80%)"],
    [{ total: 79.99, minimum: 80 }, "failure", "coverage 79.99% is below the minimum 80%"],
    [{ total: 80, minimum: 80 }, "success", "coverage 80.00% (minimum 80%)"],
    [
      { total: 90, minimum: 80, diff: diff(3, 4), diffMinimum: 90 },
      "failure",
      "diff coverage 75.00% of 4 changed lines is below the minimum 90%; coverage 90.00% (minimum 80%)",
    ],
    [
      { total: 50, minimum: 80, diff: diff(1, 4), diffMinimum: 90 },
      "failure",
      "coverage 50.00% is below the minimum 80%; diff coverage 25.00% of 4 changed lines is below the minimum 90%",
    ],
    [
      { total: 90, diff: diff(1, 1), diffMinimum: 90 },
      "success",
      "coverage 90.00%; diff coverage 100.00% of 1 changed line (minimum 90%)",
    ],
    [
      { total: 90, diff: diff(0, 0), diffMinimum: 90 },
      "success",
      "coverage 90.00%; no changed executable line",
    ],
    [
      { total: 90, diffMinimum: 90, diffUnknown: "the pull request's files could not be read" },
      "success",
      "coverage 90.00%; diff coverage unknown: the pull request's files could not be read",
    ],
  ])("%j → %s: %s", (input, conclusion, summary) => {
    const verdict = coverageVerdict(input);

    expect(verdict).toEqual({ conclusion, summary });
  });
});

describe("withDiffMinimum", () => {
  it.each([
    [
      { minimum: 80, "diff-minimum": 90 },
      { kind: "coverage-gate", minimum: 80, diffMinimum: 90 },
    ],
    [{ minimum: 80 }, { kind: "coverage-gate", minimum: 80 }],
  ])("puts test.coverage %j on the coverage job", (coverage, evaluate) => {
    const parsed = validateConfigValue({ test: { coverage } }, { file: ".github/pylot.yml" });
    if (!parsed.ok) throw new Error("invalid config");

    const planned = withDiffMinimum(plan(parsed.config, { defaultPython: "3.11" }), parsed.config);

    expect(planned.jobs.find((job) => job.key === "coverage")?.evaluate).toEqual(evaluate);
  });
});

describe("commentModel", () => {
  const CONFIG: PylotConfigInput = {
    python: ["3.11", "3.12"],
    lint: { flake8: {}, black: false },
    typecheck: { mypy: false },
    security: { bandit: {} },
    test: { coverage: { minimum: 80, "diff-minimum": 90 } },
  };
  const file = (path: string, covered: number[], missing: number[]) => ({
    path,
    covered,
    missing,
    totals: {
      covered: covered.length,
      statements: covered.length + missing.length,
      percent: (covered.length * 100) / (covered.length + missing.length),
    },
  });

  it("merges the legs' coverage, compares bandit with the base and lists new suppressions", () => {
    let view = plannedView(CONFIG);
    const moved = { ...high, line: 30 };
    const fresh: Finding = {
      ...high,
      rule: "B301",
      code: "return pickle.loads(blob)",
      toolSeverity: "medium",
    };
    for (const job of view.jobs) {
      const leg312 = job.spec.key.includes("3.12");
      const extra: Partial<JobResult> =
        job.spec.kind === "security"
          ? { tools: ["bandit"], findings: [moved, fresh] }
          : job.spec.kind === "lint"
            ? { tools: ["flake8"], findings: [] }
            : job.spec.kind === "test"
              ? {
                  coverageReport: {
                    files: [file("app.py", leg312 ? [1, 2] : [1, 3], leg312 ? [3, 4] : [2, 4])],
                    totals: { covered: 2, statements: 4, percent: 50 },
                  },
                }
              : {};
      view = withJob(view, finished(job, "success", extra));
    }
    const patch = "@@ -1,2 +1,4 @@\n a = 1\n+b = 2  # noqa: E225\n+c = '# nosec'\n d = 4";

    const model = commentModel({
      view: completedView(view, "success"),
      files: [{ filename: "app.py", patch }],
      base: {
        sha: "b".repeat(40),
        bandit: [high],
        coverage: { files: [], totals: { covered: 4, statements: 4, percent: 100 } },
      },
    });

    expect(model.coverage).toMatchObject({
      report: { totals: { covered: 3, statements: 4, percent: 75 } },
      diff: { totals: { executable: 2, covered: 2, percent: 100 } },
      base: { sha: "b".repeat(40) },
      minimum: 80,
    });
    expect(model.security?.comparison).toEqual({ new: [fresh], fixed: [], existing: [moved] });
    expect(model.suppressions).toEqual([
      { path: "app.py", line: 2, kind: "noqa", comment: "# noqa: E225" },
    ]);
    expect(model.analysis).toEqual({ tools: ["flake8"], findings: [] });
    expect(model.tests.map((leg) => leg.leg)).toEqual(["test (3.11, linux)", "test (3.12, linux)"]);
  });
});

describe("the Engine's coverage gate hook", () => {
  async function runWith(gates: EngineGates) {
    const store = await openStore({ url: "sqlite::memory:", logger: silentLogger });
    const engine = new Engine({
      store,
      reporterFor: () => recordingReporter(),
      logger: silentLogger,
      gates,
    });
    const executor = scriptedExecutor((request) =>
      request.spec.kind === "test"
        ? { conclusion: "success", coverage: 50 }
        : { conclusion: "success" },
    );
    const dispatcher = createLocalDispatcher({
      executor,
      concurrency: 2,
      events: engine,
      logger: silentLogger,
    });
    engine.attach(dispatcher);
    const config = PylotConfigSchema.parse({
      lint: { flake8: false, black: false },
      typecheck: { mypy: false },
      security: { bandit: false },
      test: { coverage: { minimum: 60 } },
    });
    const started = await engine.start({
      trigger: { source: "cli", event: "local", sha: "abc", ref: "refs/heads/main" },
      plan: plan(config, { defaultPython: "3.11" }),
      source: { kind: "dir", path: "/nonexistent" },
    });
    const done = await engine.waitForPipeline(started.pipeline.id);
    await dispatcher.close();
    await engine.idle();
    await store.close();
    return done.jobs.find((job) => job.spec.key === "coverage")?.result;
  }

  it("decides the coverage job with the host's verdict and figures", async () => {
    const diffCoverage = diff(1, 2);

    const result = await runWith({
      coverage: () =>
        Promise.resolve({
          conclusion: "success",
          summary: "diff coverage ok",
          result: { diffCoverage },
        }),
    });

    expect(result).toMatchObject({
      conclusion: "success",
      summary: "diff coverage ok",
      diffCoverage,
      coverage: 50,
    });
  });

  it.each([
    ["fails", () => Promise.reject(new Error("GitHub is down"))],
    ["has no verdict", () => Promise.resolve(undefined)],
  ])("falls back to the total-only gate when the hook %s", async (_case, coverage) => {
    const result = await runWith({ coverage });

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: "coverage 50.0% is below the minimum 60%",
    });
  });
});
