import { describe, expect, it } from "vitest";
import { banditGate, parseBandit, type Finding } from "../../../src/reports/index.js";
import { fixture, ROOT } from "./fixtures.js";

describe("parseBandit on bandit 1.6 output", () => {
  it("reads the insecure fixture project: severities, confidences, the flagged code line", () => {
    const result = parseBandit(fixture("vault/bandit.json"), { root: ROOT });

    expect(
      result.ok &&
        result.value.map((f) => [f.path, f.line, f.rule, f.severity, f.toolSeverity, f.confidence]),
    ).toEqual([
      ["vault/__init__.py", 3, "B403", "notice", "low", "high"],
      ["vault/__init__.py", 4, "B404", "notice", "low", "high"],
      ["vault/__init__.py", 9, "B602", "error", "high", "high"],
      ["vault/__init__.py", 14, "B301", "warning", "medium", "high"],
    ]);
    expect(result.ok && result.value[2]).toMatchObject({
      title: "B602 subprocess_popen_with_shell_equals_true",
      message: "subprocess call with shell=True identified, security issue.",
      code: "    return subprocess.call(command, shell=True)",
      url: expect.stringContaining("b602_subprocess_popen_with_shell_equals_true") as unknown,
    });
  });

  it("takes columns from newer bandits (0-based, end exclusive) as 1-based inclusive", () => {
    const json = JSON.stringify({
      results: [
        {
          filename: "./a.py",
          line_number: 2,
          col_offset: 4,
          end_col_offset: 20,
          test_id: "B602",
          issue_severity: "HIGH",
          issue_confidence: "HIGH",
          issue_text: "shell",
          issue_cwe: { id: 78 },
        },
      ],
    });

    const result = parseBandit(json);

    expect(result.ok && result.value[0]).toMatchObject({
      path: "a.py",
      line: 2,
      column: 5,
      endColumn: 20,
    });
  });

  it("says when bandit could not scan files", () => {
    const json = JSON.stringify({
      errors: [{ filename: "x.py", reason: "syntax error while parsing AST from file" }],
      results: [],
    });

    const result = parseBandit(json);

    expect(result).toEqual({ ok: true, value: [], warnings: ["bandit could not scan 1 file(s)"] });
  });
});

describe("banditGate", () => {
  const finding = (severity: string, confidence: "low" | "medium" | "high"): Finding => ({
    tool: "bandit",
    path: "a.py",
    line: 1,
    severity: "warning",
    rule: "B000",
    title: "B000",
    message: "m",
    toolSeverity: severity,
    confidence,
  });
  const findings = [
    finding("high", "low"),
    finding("medium", "high"),
    finding("low", "medium"),
    finding("undefined", "high"),
  ];

  it.each([
    {
      failOn: "high",
      confidence: "low",
      passed: false,
      failing: 1,
      counts: { low: 1, medium: 1, high: 1 },
    },
    {
      failOn: "high",
      confidence: "medium",
      passed: true,
      failing: 0,
      counts: { low: 1, medium: 1, high: 0 },
    },
    {
      failOn: "medium",
      confidence: "medium",
      passed: false,
      failing: 1,
      counts: { low: 1, medium: 1, high: 0 },
    },
    {
      failOn: "low",
      confidence: "high",
      passed: false,
      failing: 1,
      counts: { low: 0, medium: 1, high: 0 },
    },
    {
      failOn: "none",
      confidence: "low",
      passed: true,
      failing: 0,
      counts: { low: 1, medium: 1, high: 1 },
    },
  ] as const)(
    "fail-on $failOn with confidence $confidence",
    ({ failOn, confidence, passed, failing, counts }) => {
      const gate = banditGate(findings, failOn, confidence);

      expect({ passed: gate.passed, failing: gate.failing.length, counts: gate.counts }).toEqual({
        passed,
        failing,
        counts,
      });
    },
  );

  it("fails the insecure fixture at fail-on high, confidence medium (its pylot.yml)", () => {
    const result = parseBandit(fixture("vault/bandit.json"), { root: ROOT });

    const gate = banditGate(result.ok ? result.value : [], "high", "medium");

    expect([gate.passed, gate.failing.map((f) => f.rule), gate.counts]).toEqual([
      false,
      ["B602"],
      { low: 2, medium: 1, high: 1 },
    ]);
  });
});
