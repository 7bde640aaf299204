import { describe, expect, it } from "vitest";
import { CheckRunWriter } from "../../src/github/check-run-writer.js";
import { jobCheck } from "../../src/github/desired-checks.js";
import type { JobRecord, PipelineView } from "../../src/engine/ports.js";
import type { JobResult } from "../../src/pipeline/types.js";
import { OUTPUT_LIMIT } from "../../src/github/markdown.js";
import type { Finding, TestReport } from "../../src/reports/index.js";
import { finished, plannedView, started, withJob } from "../helpers/github-records.js";
import { bodies, silentLog, testOctokit, useGitHubStub } from "../helpers/github.js";

const gh = useGitHubStub();
const REPO = "/repos/Codertocat/Hello-World";

function flake8(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => ({
    tool: "flake8",
    path: `pkg/m${i % 7}.py`,
    line: i + 1,
    column: 1,
    severity: i % 3 === 0 ? "error" : "warning",
    rule: "F401",
    title: "F401 'os' imported but unused",
    message: "'os' imported but unused",
  }));
}

/** The lint job of a planned pipeline, completed with this result. */
function lintJob(extra: Partial<JobResult>): { view: PipelineView; job: JobRecord } {
  const planned = plannedView({ lint: { flake8: {}, black: false }, typecheck: { mypy: false } });
  const lint = planned.jobs.find((job) => job.spec.key === "lint");
  if (lint === undefined) throw new Error("no lint job");
  const job = finished(started(lint), "failure", { tools: ["flake8"], ...extra });
  return { view: withJob(planned, job), job };
}

describe("annotations on a job's check run", () => {
  it("go 50 a request: 120 findings make 3 requests, the first the completing write", async () => {
    const { view, job } = lintJob({ findings: flake8(120) });
    const sent = bodies();
    gh.api()
      .post(`${REPO}/check-runs`, sent.keep)
      .reply(201, { id: 21, html_url: "https://github.com/r/21" })
      .patch(`${REPO}/check-runs/21`, sent.keep)
      .times(2)
      .reply(200, { id: 21 });
    const octokit = testOctokit();
    const writer = new CheckRunWriter({
      checks: () => Promise.resolve(octokit.rest.checks),
      owner: "Codertocat",
      repo: "Hello-World",
      logger: silentLog,
    });

    writer.submit(jobCheck(view, job, undefined));
    await writer.idle();

    const counts = sent.list.map(
      (body) => (body.output as { annotations?: unknown[] }).annotations?.length,
    );
    expect(counts).toEqual([50, 50, 20]);
    expect(sent.list.map((body) => [body.status, body.conclusion])).toEqual([
      ["completed", "failure"],
      ["completed", "failure"],
      ["completed", "failure"],
    ]);
    expect(sent.list[0]?.output).toMatchObject({
      annotations: expect.arrayContaining([
        {
          path: "pkg/m0.py",
          start_line: 1,
          end_line: 1,
          start_column: 1,
          end_column: 1,
          annotation_level: "failure",
          title: "F401 'os' imported but unused",
          message: "'os' imported but unused",
        },
      ]) as unknown,
    });
  });

  it.each([
    [1234, 0, 234],
    [5000, 700, 4700],
  ])(
    "are capped at 1,000 (%i kept in the result, %i more counted), the summary says how many more",
    (kept, omitted, more) => {
      const { view, job } = lintJob({
        findings: flake8(kept),
        ...(omitted === 0 ? {} : { findingsOmitted: omitted }),
      });

      const check = jobCheck(view, job, undefined);

      expect(check.annotations).toHaveLength(1000);
      expect(check.annotations?.[0]?.annotation_level).toBe("failure");
      expect(check.summary).toContain(
        `Annotations are capped: ${more} more findings are counted above but not annotated.`,
      );
      expect(check.summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    },
  );

  it("are not sent while the job is queued or running", () => {
    const { view, job } = lintJob({ findings: flake8(3) });
    const running: JobRecord = { ...job, state: "in_progress", conclusion: null, result: null };

    const check = jobCheck(withJob(view, running), running, undefined);

    expect(check.status).toBe("in_progress");
    expect(check.annotations).toBeUndefined();
  });
});

describe("a job's check run summary", () => {
  it("shows the findings per tool and severity under the steps", () => {
    const { view, job } = lintJob({ findings: flake8(6) });

    const { summary } = jobCheck(view, job, undefined);

    expect(summary).toContain("| ⚠️ flake8 | 2 | 4 | 0 |");
    expect(summary.indexOf("### Findings")).toBeGreaterThan(summary.indexOf("**lint**"));
  });

  it("shows a test leg's tests with the failing cases and their message", () => {
    const planned = plannedView({ python: ["3.11"], test: { coverage: false } });
    const leg = planned.jobs.find((j) => j.spec.kind === "test");
    if (leg === undefined) throw new Error("no test leg");
    const tests: TestReport = {
      tests: 3,
      failures: 1,
      errors: 0,
      skipped: 1,
      timeSeconds: 0.5,
      failing: [
        {
          name: "test_total",
          classname: "tests.test_cart",
          kind: "failure",
          file: "tests/test_cart.py",
          line: 12,
          message: "assert 5 == 6",
        },
      ],
    };
    const job = finished(started(leg), "failure", { tests });

    const { summary } = jobCheck(withJob(planned, job), job, undefined);

    expect(summary).toContain("| ❌ test (3.11, linux) | 1 | 1 | 0 | 1 | 0.50 s |   |");
    expect(summary).toContain(
      "| test (3.11, linux) | tests.test\\_cart.test\\_total | failure | tests/test\\_cart.py:12 | assert 5 == 6 |",
    );
  });

  it("names a rejected report", () => {
    const rejected = ["flake8 report rejected: it is not valid UTF-8"];
    const { view, job } = lintJob({ rejected, tools: [] });

    const { summary } = jobCheck(view, job, undefined);

    expect(summary).toContain("> ⚠️ flake8 report rejected: it is not valid UTF-8");
  });
});
