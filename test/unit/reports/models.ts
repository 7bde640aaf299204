import {
  changedLines,
  compareFindings,
  coverageDelta,
  diffCoverage,
  parseBandit,
  parseBlack,
  parseCobertura,
  parseFlake8,
  parseJunit,
  parseMypy,
  type CoverageReport,
  type Finding,
  type JobSummaryInput,
  type ParseResult,
  type PrCommentModel,
  type TestReport,
} from "../../../src/reports/index.js";
import { fixture, fixtureText, ROOT } from "./fixtures.js";

export function must<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

const RUN = "https://github.com/acme/shop/runs";

/** A pull request comment built from the real reports of the shop fixture project. */
export function shopComment(options: { readonly base?: boolean } = {}): PrCommentModel {
  const coverage = must(parseCobertura(fixture("shop/coverage.xml"), { root: ROOT }));
  const bandit = must(parseBandit(fixture("shop/bandit.json"), { root: ROOT }));
  const baseBandit = bandit.filter((f) => f.rule !== "B602");
  const lint = [
    ...must(parseFlake8(fixture("shop/flake8.txt"), { root: ROOT })),
    ...must(parseBlack(fixture("shop/black.diff"), { root: ROOT })),
    ...must(parseMypy(fixture("shop/mypy.txt"), { root: ROOT })),
  ];
  return {
    sha: "0123456789abcdef0123456789abcdef01234567",
    conclusion: "failure",
    url: `${RUN}/1`,
    checks: [
      { name: "Pylot / lint", conclusion: "failure", url: `${RUN}/2` },
      { name: "Pylot / security", conclusion: "failure", url: `${RUN}/3` },
      { name: "Pylot / test (3.11, linux)", conclusion: "failure", url: `${RUN}/4` },
      { name: "Pylot / coverage", conclusion: "failure", url: `${RUN}/5` },
      { name: "Pylot / build", conclusion: null },
    ],
    tests: [
      {
        leg: "test (3.11, linux)",
        report: must(parseJunit(fixture("shop/junit.xml"), { root: ROOT })),
        url: `${RUN}/4`,
      },
      {
        leg: "test (3.12, linux)",
        rejected: "test report rejected: it is truncated (it does not end with </testsuites>)",
      },
    ],
    coverage: {
      report: coverage,
      ...(options.base === false
        ? {}
        : {
            base: {
              sha: "fedcba9876543210",
              coverage: { covered: 30, statements: 35, percent: 85.714 },
            },
          }),
      diff: diffCoverage(
        coverage,
        new Map([["shop/cart.py", changedLines(fixtureText("shop/cart.patch"))]]),
      ),
      minimum: 80,
      diffMinimum: 90,
    },
    security: { findings: bandit, comparison: compareFindings(bandit, baseBandit) },
    analysis: { tools: ["flake8", "black", "mypy"], findings: lint },
    suppressions: [
      { path: "shop/cart.py", line: 17, kind: "nosec", comment: "# nosec | <b>@admin</b>" },
    ],
  };
}

export function shopSummary(): JobSummaryInput {
  const coverage = must(parseCobertura(fixture("shop/coverage.xml"), { root: ROOT }));
  return {
    headline: "tests failed (exit 1) on Python 3.11.2",
    tests: [
      {
        leg: "test (3.11, linux)",
        report: must(parseJunit(fixture("shop/junit.xml"), { root: ROOT })),
      },
    ],
    coverage: { report: coverage, minimum: 80 },
  };
}

/** The lint check run of the shop project: findings, a cap that left some out, a rejected report. */
export function lintSummary(): JobSummaryInput {
  const findings = [
    ...must(parseFlake8(fixture("shop/flake8.txt"), { root: ROOT })),
    ...must(parseBlack(fixture("shop/black.diff"), { root: ROOT })),
  ];
  return {
    headline: "flake8 found 5 problems",
    findings: { findings, tools: ["flake8", "black", "pylint"], omitted: 2 },
    notes: ["pylint report rejected: it is not valid UTF-8"],
  };
}

/** The coverage check run: total against the minimum and the base, and the diff's coverage. */
export function coverageSummary(): JobSummaryInput {
  const report = must(parseCobertura(fixture("shop/coverage.xml"), { root: ROOT }));
  const changed = new Map([["shop/cart.py", changedLines(fixtureText("shop/cart.patch"))]]);
  return {
    headline: "coverage 78.85% is under the minimum of 80%",
    coverage: {
      report,
      delta: coverageDelta(report, { covered: 30, statements: 35, percent: 85.714 }),
      diff: diffCoverage(report, changed),
      minimum: 80,
      diffMinimum: 90,
    },
  };
}

const SEVERITIES = ["low", "medium", "high"] as const;

/** Everything in enormous amounts, with long hostile strings: the comment must still fit. */
export function giantComment(): PrCommentModel {
  const long = (i: number) => `${"|`<b>@team ".repeat(50)}${i}`;
  const files = Array.from({ length: 3000 }, (_, i) => ({
    path: `pkg/${long(i)}.py`,
    covered: [1],
    missing: Array.from({ length: 200 }, (_, j) => j * 2 + 3),
    totals: { covered: 1, statements: 201, percent: 100 / 201 },
  }));
  const coverage: CoverageReport = {
    files,
    totals: { covered: 3000, statements: 603_000, percent: 0.5 },
  };
  const finding = (i: number): Finding => ({
    tool: "bandit",
    path: `pkg/${long(i)}.py`,
    line: i + 1,
    severity: "error",
    rule: "B602",
    title: "B602",
    message: long(i),
    toolSeverity: SEVERITIES[i % 3] ?? "high",
    confidence: "high",
  });
  const bandit = Array.from({ length: 5000 }, (_, i) => finding(i));
  const report: TestReport = {
    tests: 100_000,
    failures: 5000,
    errors: 0,
    skipped: 0,
    timeSeconds: 1234,
    failing: Array.from({ length: 5000 }, (_, i) => ({
      name: long(i),
      classname: long(i),
      kind: "failure" as const,
      message: long(i).repeat(20),
    })),
  };
  return {
    sha: "f".repeat(40),
    conclusion: "failure",
    checks: Array.from({ length: 300 }, (_, i) => ({
      name: `Pylot / test (${long(i)})`,
      conclusion: "failure" as const,
      url: `${RUN}/${i}`,
    })),
    tests: Array.from({ length: 300 }, (_, i) => ({ leg: `test (${long(i)})`, report })),
    coverage: {
      report: coverage,
      diff: {
        files: files.map((f) => ({
          path: f.path,
          executable: 200,
          covered: 0,
          uncovered: f.missing,
          percent: 0,
        })),
        totals: { executable: 600_000, covered: 0, percent: 0 },
      },
      minimum: 80,
    },
    security: { findings: bandit, comparison: { new: bandit, fixed: bandit, existing: bandit } },
    analysis: {
      tools: ["flake8", "pylint", "mypy", "black"],
      findings: bandit.map((f) => ({ ...f, tool: "flake8" as const })),
    },
    suppressions: Array.from({ length: 5000 }, (_, i) => ({
      path: long(i),
      line: i,
      kind: "noqa" as const,
      comment: long(i),
    })),
    notes: Array.from({ length: 1000 }, (_, i) => long(i)),
  };
}
