import { describe, expect, it } from "vitest";
import {
  banditVerdict,
  blackVerdict,
  flake8Verdict,
  mypyVerdict,
  pylintVerdict,
} from "../../../src/runner/tool-verdicts.js";

const FLAKE8 = [
  "./messy/__init__.py:2:1: F401 'os' imported but unused",
  "./messy/__init__.py:6:30: F821 undefined name 'undefined_name'",
  "./messy/__init__.py:13:2: E225 missing whitespace around operator",
  "",
].join("\n");

describe("flake8Verdict", () => {
  it.each([
    { exit: 0, report: "", passed: true, summary: "flake8 found no problems" },
    { exit: 1, report: FLAKE8, passed: false, summary: "flake8 found 3 problems" },
    { exit: 1, report: "a.py:1:1: F401 x\n", passed: false, summary: "flake8 found 1 problem" },
    { exit: 1, report: "", passed: false, summary: "flake8 failed (exit 1)" },
    { exit: 2, report: "", passed: false, summary: "flake8 failed (exit 2)" },
  ])("exit $exit → $summary", ({ exit, report, passed, summary }) => {
    const verdict = flake8Verdict(exit, report);

    expect(verdict).toEqual({ passed, summary });
  });
});

const BLACK_DIFF =
  "--- a.py\t2024\n+++ a.py\t2024\n@@ -1 +1 @@\n-x=1\n+x = 1\n--- b.py\n+++ b.py\n";

describe("blackVerdict", () => {
  it.each([
    { exit: 0, diff: "", passed: true, summary: "black found nothing to reformat" },
    { exit: 1, diff: BLACK_DIFF, passed: false, summary: "black would reformat 2 files" },
    { exit: 1, diff: "", passed: false, summary: "black would reformat files" },
    { exit: 123, diff: "", passed: false, summary: "black failed (exit 123)" },
  ])("exit $exit → $summary", ({ exit, diff, passed, summary }) => {
    const verdict = blackVerdict(exit, diff);

    expect(verdict).toEqual({ passed, summary });
  });
});

const PYLINT = [
  "************* Module okcalc",
  'okcalc/__init__.py:4: [C0103(invalid-name), add] Argument name "a" doesn\'t conform',
  "okcalc/__init__.py:9: [W0611(unused-import), ] Unused import os",
  "",
  "Your code has been rated at 5.00/10",
].join("\n");

describe("pylintVerdict", () => {
  it.each([
    { exit: 0, report: "", passed: true, summary: "pylint found no problems" },
    { exit: 20, report: PYLINT, passed: false, summary: "pylint found 2 problems" },
    { exit: 32, report: PYLINT, passed: false, summary: "pylint failed (exit 32)" },
    { exit: 1, report: "", passed: false, summary: "pylint failed (exit 1)" },
  ])("exit $exit → $summary", ({ exit, report, passed, summary }) => {
    const verdict = pylintVerdict(exit, report);

    expect(verdict).toEqual({ passed, summary });
  });
});

const MYPY = [
  'messy/__init__.py:6: error: Name "undefined_name" is not defined  [name-defined]',
  "messy/__init__.py:10:12: error: Incompatible return value type  [return-value]",
  "messy/__init__.py:10: note: a note is not an error",
  "Found 2 errors in 1 file (checked 1 source file)",
].join("\n");

describe("mypyVerdict", () => {
  it.each([
    { exit: 0, report: "Success: no issues found", passed: true, summary: "mypy found no errors" },
    { exit: 1, report: MYPY, passed: false, summary: "mypy found 2 errors" },
    { exit: 2, report: "", passed: false, summary: "mypy failed (exit 2)" },
  ])("exit $exit → $summary", ({ exit, report, passed, summary }) => {
    const verdict = mypyVerdict(exit, report);

    expect(verdict).toEqual({ passed, summary });
  });
});

const issue = (severity: string, confidence = "HIGH") => ({
  issue_severity: severity,
  issue_confidence: confidence,
  test_id: "B000",
});
const INSECURE = {
  results: [issue("LOW"), issue("LOW"), issue("HIGH"), issue("MEDIUM")],
  errors: [],
};
const FOUND = "bandit found 4 issues (1 high, 1 medium, 2 low)";

describe("banditVerdict", () => {
  it.each([
    { failOn: "high", report: INSECURE, passed: false, summary: `${FOUND}; 1 at or above high` },
    {
      failOn: "medium",
      report: INSECURE,
      passed: false,
      summary: `${FOUND}; 2 at or above medium`,
    },
    { failOn: "low", report: INSECURE, passed: false, summary: `${FOUND}; 4 at or above low` },
    { failOn: "none", report: INSECURE, passed: true, summary: `${FOUND}; fail-on is none` },
    {
      failOn: "high",
      report: { results: [issue("MEDIUM")] },
      passed: true,
      summary: "bandit found 1 issue (1 medium); none at or above high",
    },
    {
      failOn: "low",
      report: { results: [], errors: [] },
      passed: true,
      summary: "bandit found no issues",
    },
    {
      failOn: "low",
      report: { results: [], errors: [{ filename: "x.py", reason: "syntax error" }] },
      passed: true,
      summary: "bandit found no issues; 1 file could not be scanned",
    },
    { failOn: "low", report: undefined, passed: false, summary: "bandit failed (exit 1)" },
    {
      failOn: "low",
      report: { results: "nope" },
      passed: false,
      summary: "bandit failed (exit 1)",
    },
  ] as const)("fail-on $failOn → $summary", ({ failOn, report, passed, summary }) => {
    const verdict = banditVerdict({ exitCode: 1, report, failOn, confidence: "low" });

    expect(verdict).toEqual({ passed, summary });
  });

  it("ignores issues below the confidence asked for", () => {
    const report = { results: [issue("HIGH", "LOW"), issue("LOW", "MEDIUM")] };

    const verdict = banditVerdict({ exitCode: 1, report, failOn: "high", confidence: "medium" });

    expect(verdict).toEqual({
      passed: true,
      summary: "bandit found 1 issue (1 low); none at or above high",
    });
  });

  it("fails when bandit itself failed, whatever the report says", () => {
    const verdict = banditVerdict({
      exitCode: 2,
      report: INSECURE,
      failOn: "none",
      confidence: "low",
    });

    expect(verdict).toEqual({ passed: false, summary: "bandit failed (exit 2)" });
  });
});
