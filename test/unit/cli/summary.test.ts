import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatSeconds,
  jobDurationMs,
  renderJson,
  renderSummary,
} from "../../../src/cli/summary.js";
import type { Conclusion } from "../../../src/pipeline/types.js";
import { T0, at, job, stripAnsi, view } from "./views.js";

const log = (count: number): string =>
  Array.from({ length: count }, (_, i) => `log line ${i + 1}`).join("\n") + "\n";

describe("formatClock and formatSeconds", () => {
  it.each([
    { ms: 0, clock: "0:00", seconds: "0.0s" },
    { ms: 3_100, clock: "0:03", seconds: "3.1s" },
    { ms: 59_999, clock: "0:59", seconds: "60.0s" },
    { ms: 725_000, clock: "12:05", seconds: "725.0s" },
    { ms: 3_723_000, clock: "1:02:03", seconds: "3723.0s" },
    { ms: -5, clock: "0:00", seconds: "0.0s" },
  ])("formats $ms ms", ({ ms, clock, seconds }) => {
    const formatted = [formatClock(ms), formatSeconds(ms)];

    expect(formatted).toEqual([clock, seconds]);
  });
});

describe("jobDurationMs", () => {
  it.each([
    { name: "never started", record: job("a"), nowMs: undefined, duration: null },
    {
      name: "finished",
      record: job("a", { conclusion: "success", startedMs: 1_000, finishedMs: 4_500 }),
      nowMs: undefined,
      duration: 3_500,
    },
    {
      name: "running, counted to now",
      record: job("a", { state: "in_progress", startedMs: 1_000 }),
      nowMs: T0 + 13_000,
      duration: 12_000,
    },
    {
      name: "running, no clock",
      record: job("a", { state: "in_progress", startedMs: 1_000 }),
      nowMs: undefined,
      duration: null,
    },
    {
      name: "timed by the runner only",
      record: job("a", {
        conclusion: "failure",
        result: { startedAt: at(0), finishedAt: at(2_000) },
      }),
      nowMs: undefined,
      duration: 2_000,
    },
  ])("measures a job $name", ({ record, nowMs, duration }) => {
    const measured = jobDurationMs(record, nowMs);

    expect(measured).toBe(duration);
  });
});

describe("renderSummary", () => {
  const failing = view(
    [
      job("lint", {
        conclusion: "success",
        startedMs: 0,
        finishedMs: 3_000,
        result: { summary: "flake8 and black passed", logTail: "SECRET-OF-SUCCESS\n" },
      }),
      job("test-3.12-linux", {
        name: "test (3.12, linux)",
        kind: "test",
        conclusion: "failure",
        startedMs: 1_000,
        finishedMs: 13_000,
        result: {
          summary: "2 tests failed",
          logTail: log(30),
          coverage: 87.54,
          reports: {
            junit: "/tmp/pylot/p1/test/reports/junit.xml",
            coverage: "/tmp/pylot/p1/test/reports/coverage.xml",
          },
        },
      }),
      job("build", { conclusion: "skipped" }),
    ],
    { conclusion: "failure", updatedMs: 42_000 },
  );

  it("shows the failed job's summary and the last 20 lines of its log only", () => {
    const text = renderSummary(failing, { color: false });

    expect(text).toContain("✗ test (3.12, linux) — failure: 2 tests failed");
    expect(text).toContain("    log line 11\n");
    expect(text).toContain("    log line 30");
    expect(text).not.toContain("log line 10\n");
    expect(text).not.toContain("SECRET-OF-SUCCESS");
  });

  it("shows coverage, the reports folder once, and the pipeline's outcome", () => {
    const text = renderSummary(failing, { color: false });

    expect(text).toContain("Coverage: 87.5% on test (3.12, linux)");
    expect(text.match(/\/tmp\/pylot\/p1\/test\/reports$/gm)).toHaveLength(1);
    expect(text).toContain("Pipeline failure in 0:42");
  });

  it("renders the whole summary", () => {
    const text = renderSummary(failing, { color: false });

    expect(text).toMatchSnapshot();
  });

  it.each([
    { conclusion: "success", line: /^ {2}✓ job {2}success {4}2.0s$/m, details: false },
    { conclusion: "failure", line: /^ {2}✗ job {2}failure {4}2.0s$/m, details: true },
    { conclusion: "timed_out", line: /^ {2}⏱ job {2}timed out {2}2.0s$/m, details: true },
    { conclusion: "cancelled", line: /^ {2}⊘ job {2}cancelled {2}2.0s$/m, details: false },
    { conclusion: "neutral", line: /^ {2}– job {2}neutral {4}2.0s$/m, details: false },
  ] satisfies { conclusion: Conclusion; line: RegExp; details: boolean }[])(
    "lists a $conclusion job",
    ({ conclusion, line, details }) => {
      const record = job("job", {
        conclusion,
        startedMs: 0,
        finishedMs: 2_000,
        result: { logTail: "boom\n" },
      });

      const text = renderSummary(view([record], { conclusion }), { color: false });

      expect(text).toMatch(line);
      expect(text.includes("    boom")).toBe(details);
    },
  );

  it.each([
    { conclusion: null, line: "Pipeline running in 0:05" },
    { conclusion: "success", line: "Pipeline success in 0:05" },
    { conclusion: "timed_out", line: "Pipeline timed out in 0:05" },
    { conclusion: "cancelled", line: "Pipeline cancelled in 0:05" },
  ] satisfies { conclusion: Conclusion | null; line: string }[])(
    "ends with the pipeline's $conclusion",
    ({ conclusion, line }) => {
      const pipeline = view([job("lint")], { conclusion, updatedMs: 5_000 });

      const text = renderSummary(pipeline, { color: false });

      expect(text.split("\n").at(-1)).toBe(line);
    },
  );

  it("lists built artifacts with size and hash, in text and JSON", () => {
    const artifacts = [
      { name: "demo-1.0-py3-none-any.whl", size: 1536, sha256: "ab".repeat(32), kind: "wheel" },
    ] as const;
    const built = view(
      [
        job("build", {
          kind: "build",
          conclusion: "success",
          result: { artifacts: [...artifacts] },
        }),
      ],
      { conclusion: "success" },
    );

    const text = renderSummary(built, { color: false });
    const json = JSON.parse(renderJson(built)) as { jobs: { artifacts?: unknown }[] };

    expect(text).toContain(
      `Artifacts:\n  demo-1.0-py3-none-any.whl  1,536 B  sha256:${"ab".repeat(32)}`,
    );
    expect(json.jobs[0]?.artifacts).toEqual(artifacts);
  });

  it("lists a job that never ran without a duration", () => {
    const text = renderSummary(view([job("build", { conclusion: "skipped" })]), { color: false });

    expect(text).toMatch(/^ {2}○ build {2}skipped$/m);
  });

  it.each([
    { color: true, ansi: true },
    { color: false, ansi: false },
  ])("uses ANSI colours only when asked (color: $color)", ({ color, ansi }) => {
    const text = renderSummary(failing, { color });

    expect(text.includes("\u001b[")).toBe(ansi);
    expect(stripAnsi(text)).toBe(renderSummary(failing, { color: false }));
  });
});

describe("renderJson", () => {
  it("gives a stable shape", () => {
    const success = job("lint", {
      conclusion: "success",
      startedMs: 0,
      finishedMs: 3_100,
      result: { summary: "clean", reports: { flake8: "/r/lint/flake8.txt" } },
    });
    const covered = job("test", {
      kind: "test",
      conclusion: "success",
      startedMs: 0,
      finishedMs: 9_000,
      result: { summary: "12 passed", coverage: 91.2 },
    });
    const skipped = job("build", { conclusion: "skipped" });

    const parsed: unknown = JSON.parse(
      renderJson(view([success, covered, skipped], { conclusion: "success", updatedMs: 10_000 })),
    );

    const leg = { python: "3.12", os: "linux", extra: {} };
    expect(parsed).toEqual({
      conclusion: "success",
      durationMs: 10_000,
      jobs: [
        {
          name: "lint",
          kind: "lint",
          leg,
          conclusion: "success",
          durationMs: 3_100,
          summary: "clean",
          reports: { flake8: "/r/lint/flake8.txt" },
        },
        {
          name: "test",
          kind: "test",
          leg,
          conclusion: "success",
          durationMs: 9_000,
          summary: "12 passed",
          coverage: 91.2,
          reports: {},
        },
        {
          name: "build",
          kind: "lint",
          leg,
          conclusion: "skipped",
          durationMs: null,
          summary: null,
          reports: {},
        },
      ],
    });
  });

  it("keeps its key order", () => {
    const record = job("test", { conclusion: "success", result: { coverage: 50 } });

    const parsed = JSON.parse(renderJson(view([record]))) as { jobs: object[] };

    expect(Object.keys(parsed)).toEqual(["conclusion", "durationMs", "jobs"]);
    expect(Object.keys(parsed.jobs[0] ?? {})).toEqual([
      "name",
      "kind",
      "leg",
      "conclusion",
      "durationMs",
      "summary",
      "coverage",
      "reports",
    ]);
  });
});
