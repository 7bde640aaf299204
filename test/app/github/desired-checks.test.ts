import { describe, expect, it } from "vitest";
import type { PylotConfigInput } from "../../../src/config/index.js";
import {
  FOLD_ABOVE,
  RERUN_FAILED,
  foldsMatrix,
  jobCheck,
  matrixCheck,
  roundOf,
  summaryCheck,
} from "../../../src/github/desired-checks.js";
import { OUTPUT_LIMIT } from "../../../src/github/markdown.js";
import {
  completedView,
  finished,
  plannedView,
  started,
  withJob,
} from "../../helpers/github-records.js";

const LEAN: PylotConfigInput = {
  python: ["3.11", "3.12"],
  lint: { flake8: {}, black: false },
  typecheck: { mypy: false },
  security: { bandit: false },
  test: { coverage: false },
};

function job(key: string, view = plannedView(LEAN)) {
  const found = view.jobs.find((j) => j.spec.key === key);
  if (found === undefined) throw new Error(`no job ${key}`);
  return found;
}

describe("job check runs", () => {
  it("lists the build's artifacts with their sizes and hashes", () => {
    const view = plannedView({ ...LEAN, build: { wheel: true } });
    const sha = "ab".repeat(32);
    const done = finished(job("build", view), "success", {
      artifacts: [
        { name: "demo_pkg-1.0-py3-none-any.whl", size: 1536, sha256: sha, kind: "wheel" },
        { name: "demo_pkg-1.0.tar.gz", size: 2048, sha256: "cd".repeat(32), kind: "sdist" },
      ],
    });

    const desired = jobCheck(withJob(view, done), done, undefined);

    expect(desired.name).toBe("Pylot / build");
    expect(desired.summary).toContain(
      `**Artifacts**\n\n| File | Kind | Size | SHA-256 |\n| --- | --- | --- | --- |\n| demo\\_pkg-1.0-py3-none-any.whl | wheel | 1,536 B | \`${sha}\` |`,
    );
    expect(desired.summary).toContain(`| demo\\_pkg-1.0.tar.gz | sdist | 2,048 B |`);
  });

  it("starts queued under a 'Pylot / ' name with our job id and attempt", () => {
    const view = plannedView(LEAN);
    const lint = job("lint", view);

    const desired = jobCheck(view, lint, "https://ci.example/pipelines/p/jobs/lint");

    expect(desired).toMatchObject({
      ref: { kind: "job", jobId: lint.id, attempt: 1 },
      name: "Pylot / lint",
      status: "queued",
      headSha: view.pipeline.trigger.sha,
      detailsUrl: "https://ci.example/pipelines/p/jobs/lint",
    });
    expect(desired.conclusion).toBeUndefined();
  });

  it("is in progress with started_at once the runner takes it", () => {
    const view = plannedView(LEAN);
    const leg = started(job("test-3.12-linux", view), "2024-05-01T10:00:02.000Z");

    const desired = jobCheck(view, leg, undefined);

    expect(desired).toMatchObject({
      name: "Pylot / test (3.12, linux)",
      status: "in_progress",
      startedAt: "2024-05-01T10:00:02.000Z",
    });
  });

  it.each(["success", "failure", "cancelled", "timed_out", "skipped", "neutral"] as const)(
    "completes with conclusion %s, the result's summary as title and the log tail",
    (conclusion) => {
      const view = plannedView(LEAN);
      const done = finished(job("lint", view), conclusion, {
        summary: `flake8 said ${conclusion}\nsecond line`,
        logTail: "E501 line too long",
        steps: [{ name: "flake8", conclusion, exitCode: 1, durationMs: 1200 }],
      });

      const desired = jobCheck(view, done, undefined);

      expect(desired).toMatchObject({
        status: "completed",
        conclusion,
        title: `flake8 said ${conclusion}`,
        completedAt: done.finishedAt,
      });
      expect(desired.summary).toContain("| flake8 |");
      expect(desired.text).toContain("E501 line too long");
    },
  );

  it("keeps output within GitHub's limits for huge logs", () => {
    const view = plannedView(LEAN);
    const done = finished(job("lint", view), "failure", { logTail: "x".repeat(200_000) });

    const desired = jobCheck(view, done, undefined);

    expect(desired.text?.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(desired.summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
  });
});

describe("the Pylot summary check", () => {
  it("is in progress while the pipeline runs", () => {
    const view = plannedView(LEAN);

    const desired = summaryCheck(view, { round: 1, links: new Map() });

    expect(desired).toMatchObject({
      name: "Pylot",
      status: "in_progress",
      title: "Running 3 jobs",
    });
    expect(desired.actions).toBeUndefined();
  });

  it("fails with a 'Re-run failed jobs' action and links to job check runs", () => {
    let view = plannedView(LEAN);
    const lint = job("lint", view);
    view = withJob(view, finished(lint, "failure"));
    for (const key of ["test-3.11-linux", "test-3.12-linux"])
      view = withJob(view, finished(job(key, view), "success"));
    const links = new Map([[lint.id, "https://github.com/o/r/runs/7"]]);

    const desired = summaryCheck(completedView(view, "failure"), { round: 1, links });

    expect(desired).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "1 of 3 jobs failed",
      actions: [{ identifier: RERUN_FAILED, label: "Re-run failed jobs" }],
    });
    expect(desired.summary).toContain("[lint](https://github.com/o/r/runs/7)");
  });

  it("says why a cancelled pipeline was cancelled", () => {
    const view = plannedView(LEAN);
    const cancelled = completedView(view, "cancelled");
    const reason = {
      ...cancelled,
      pipeline: { ...cancelled.pipeline, cancelReason: "superseded by 1234567" },
    };

    const desired = summaryCheck(reason, { round: 2, links: new Map() });

    expect(desired).toMatchObject({
      ref: { kind: "summary", round: 2 },
      conclusion: "cancelled",
      title: "Cancelled: superseded by 1234567",
    });
    expect(desired.actions).toBeUndefined();
  });
});

describe("large matrices", () => {
  const versions = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"];
  const big: PylotConfigInput = { ...LEAN, python: versions, os: ["linux", "mac", "win"] };

  it(`fold above ${FOLD_ABOVE} legs into one test matrix check with a table`, () => {
    let view = plannedView(big);
    const legs = view.jobs.filter((j) => j.spec.matrix);
    const first = legs[0];
    if (first !== undefined) view = withJob(view, started(first));

    const desired = matrixCheck(view, { round: 1 });

    expect(legs).toHaveLength(21);
    expect(foldsMatrix(view.jobs)).toBe(true);
    expect(foldsMatrix(plannedView(LEAN).jobs)).toBe(false);
    expect(desired).toMatchObject({ name: "Pylot / test matrix", status: "in_progress" });
    expect(desired.title).toBe("21 legs: 21 pending");
    expect(desired.summary.split("\n").filter((l) => l.startsWith("| test ("))).toHaveLength(21);
  });

  it("completes with the aggregate conclusion once every leg is done", () => {
    let view = plannedView(big);
    const legs = view.jobs.filter((j) => j.spec.matrix);
    legs.forEach((leg, i) => {
      view = withJob(view, finished(leg, i === 3 ? "failure" : "success"));
    });

    const desired = matrixCheck(view, { round: 1 });

    expect(desired).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "21 legs: 20 success, 1 failure",
    });
  });
});

describe("rounds", () => {
  it("grow with every re-run attempt", () => {
    const view = plannedView(LEAN);
    const rerun = withJob(view, { ...job("lint", view), attempt: 2 });
    const again = withJob(rerun, { ...job("test-3.11-linux", view), attempt: 2 });

    expect([roundOf(view.jobs), roundOf(rerun.jobs), roundOf(again.jobs)]).toEqual([1, 2, 3]);
  });
});
