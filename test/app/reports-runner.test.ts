import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobResultSchema, type JobResult, type Step } from "../../src/pipeline/types.js";
import type { Finding } from "../../src/reports/index.js";
import { collectReports, withReports } from "../../src/runner/collect-reports.js";

/** The runner's side of the reports: parsing a job's report files into its result. */

const FIXTURES = join(import.meta.dirname, "../fixtures/reports");
/** Where the report fixtures were generated (test/fixtures/reports/README.md). */
const ROOT = "/tmp/pylot-work/jobs/fixture-1/src";

describe("collectReports", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pylot-collect-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("parses the real tools' reports into findings (most severe first), tests and coverage", async () => {
    const reports = {
      "flake8.txt": join(FIXTURES, "shop/flake8.txt"),
      "bandit.json": join(FIXTURES, "shop/bandit.json"),
      "junit.xml": join(FIXTURES, "shop/junit.xml"),
      "coverage.xml": join(FIXTURES, "shop/coverage.xml"),
      "coverage.json": join(FIXTURES, "shop/coverage.json"),
      "job.log": join(FIXTURES, "README.md"),
    };

    const fields = await collectReports({ reports, root: ROOT });

    expect(fields.tools).toEqual(["flake8", "bandit"]);
    expect(fields.findings?.[0]).toMatchObject({ tool: "bandit", rule: "B602", severity: "error" });
    expect(fields.findings?.find((f) => f.tool === "flake8")).toMatchObject({
      path: "shop/cart.py",
      line: 3,
      rule: "F401",
    });
    expect(fields.tests).toMatchObject({ tests: 6, failures: 1, errors: 1, skipped: 1 });
    expect(fields.coverageReport?.files.map((f) => f.path)).toContain("shop/cart.py");
    expect(fields.rejected).toBeUndefined();
    expect(JobResultSchema.parse({ ...baseResult(), ...fields })).toEqual({
      ...baseResult(),
      ...fields,
    });
  });

  it("keeps the most severe findings up to the cap and counts the rest", async () => {
    const reports = {
      "flake8.txt": join(FIXTURES, "shop/flake8.txt"),
      "bandit.json": join(FIXTURES, "shop/bandit.json"),
    };

    const fields = await collectReports({ reports, root: ROOT, cap: 1 });

    expect(fields.findings).toEqual([expect.objectContaining({ tool: "bandit", rule: "B602" })]);
    expect(fields.findingsOmitted).toBeGreaterThan(1);
  });

  it("refuses a coverage.xml with a DOCTYPE, and falls back to coverage.json", async () => {
    const hostile = join(dir, "coverage.xml");
    await writeFile(
      hostile,
      '<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x "x">]>\n<coverage>&x;</coverage>\n',
    );

    const alone = await collectReports({ reports: { "coverage.xml": hostile }, root: ROOT });
    const withJson = await collectReports({
      reports: { "coverage.xml": hostile, "coverage.json": join(FIXTURES, "shop/coverage.json") },
      root: ROOT,
    });

    expect(alone).toEqual({ rejected: ["coverage report rejected: it declares a DOCTYPE"] });
    expect(withJson.rejected).toEqual(["coverage report rejected: it declares a DOCTYPE"]);
    expect(withJson.coverageReport?.files.map((f) => f.path)).toContain("shop/cart.py");
  });
});

function baseResult(extra: Partial<JobResult> = {}): JobResult {
  return {
    jobId: "p:security",
    attempt: 1,
    conclusion: "success",
    summary: "bandit found 1 issue (1 high); fail-on is none",
    startedAt: "2024-05-01T10:00:00.000Z",
    finishedAt: "2024-05-01T10:00:01.000Z",
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
    ...extra,
  };
}

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
const bandit = (failOn: "none" | "high"): Step => ({
  kind: "bandit",
  paths: ["vault"],
  failOn,
  confidence: "medium",
  args: [],
});

describe("withReports", () => {
  it.each([
    ["none", "success", "bandit found 1 issue (1 high); fail-on is none"],
    [
      "high",
      "failure",
      "bandit found 1 issue (1 high); fail-on is none; 1 bandit findings at or above high",
    ],
  ] as const)(
    "reads the bandit gate from the parsed findings (fail-on %s → %s)",
    (failOn, conclusion, summary) => {
      const fields = { tools: ["bandit" as const], findings: [high] };

      const result = withReports(baseResult(), fields, [bandit(failOn)]);

      expect(result).toMatchObject({ conclusion, summary });
    },
  );

  it("names a rejected report in the summary, and takes the total from the coverage report", () => {
    const fields = {
      rejected: ["test report rejected: it is truncated"],
      coverageReport: { files: [], totals: { covered: 3, statements: 4, percent: 75 } },
    };

    const result = withReports(baseResult({ summary: "tests passed" }), fields, []);

    expect(result).toMatchObject({
      summary: "tests passed; test report rejected: it is truncated",
      coverage: 75,
    });
  });
});

describe("JobResultSchema", () => {
  it.each([
    ["a negative count of omitted findings", { findingsOmitted: -1 }],
    ["an unknown tool", { tools: ["ruff"] }],
    ["a finding without a line", { findings: [{ ...high, line: 0 }] }],
  ])("refuses %s", (_what, extra) => {
    const parsed = JobResultSchema.safeParse({ ...baseResult(), ...extra });

    expect(parsed.success).toBe(false);
  });
});
