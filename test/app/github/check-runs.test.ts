import { describe, expect, it } from "vitest";
import type { PylotConfigInput } from "../../../src/config/index.js";
import type { JobRecord, PipelineView } from "../../../src/engine/ports.js";
import { createCheckRunReporters } from "../../../src/github/check-runs.js";
import { fakeChecks } from "../../helpers/github-checks.js";
import {
  completedView,
  finished,
  plannedView,
  started,
  withJob,
} from "../../helpers/github-records.js";
import { silentLog, testOctokit, useGitHubStub } from "../../helpers/github.js";

useGitHubStub();

const LEAN: PylotConfigInput = {
  python: ["3.11", "3.12"],
  lint: { flake8: {}, black: false },
  typecheck: { mypy: false },
  security: { bandit: false },
  test: { coverage: false },
};

function reporters(externals: Map<string, Record<string, string>> = new Map()) {
  const octokit = testOctokit();
  return createCheckRunReporters({
    checksFor: () => Promise.resolve(octokit.rest.checks),
    store: {
      setJobExternal: (id, external) => {
        externals.set(id, { ...externals.get(id), ...external });
        return Promise.resolve();
      },
    },
    publicUrl: "https://pylot.example",
    logger: silentLog,
  });
}

function finishAll(view: PipelineView): PipelineView {
  let done = view;
  for (const job of view.jobs) done = withJob(done, finished(started(job), "success"));
  return completedView(done, "success");
}

describe("the check run reporter", () => {
  it("creates every check run queued at once and stores their ids on the jobs", async () => {
    const checks = fakeChecks({ updates: false });
    const externals = new Map<string, Record<string, string>>();
    const r = reporters(externals);
    const view = plannedView(LEAN);

    await r.reporterFor(view.pipeline).pipelineCreated(view);
    await r.idle();

    expect(checks.runs.map((run) => [run.name, run.status])).toEqual([
      ["Pylot / lint", "queued"],
      ["Pylot / test (3.11, linux)", "queued"],
      ["Pylot / test (3.12, linux)", "queued"],
      ["Pylot", "in_progress"],
    ]);
    expect(externals.get(view.jobs[0]?.id ?? "")).toEqual({
      checkRunId: String(checks.runs[0]?.id),
      checkRunAttempt: "1",
      checkRunUrl: `https://github.com/Codertocat/Hello-World/runs/${checks.runs[0]?.id ?? 0}`,
    });
  });

  it("after a restart finds its check runs again instead of creating new ones", async () => {
    const checks = fakeChecks();
    checks.serveList();
    const view = plannedView(LEAN);
    const before = reporters();
    await before.reporterFor(view.pipeline).pipelineCreated(view);
    await before.idle();

    const after = reporters();
    const done = finishAll(view);
    const reporter = after.reporterFor(done.pipeline);
    for (const job of done.jobs) await reporter.jobChanged(done, job);
    await reporter.pipelineCompleted(done);
    await after.idle();

    expect(checks.writes.filter((w) => w.startsWith("POST"))).toHaveLength(4);
    expect(checks.runs.map((run) => [run.name, run.conclusion])).toEqual([
      ["Pylot / lint", "success"],
      ["Pylot / test (3.11, linux)", "success"],
      ["Pylot / test (3.12, linux)", "success"],
      ["Pylot", "success"],
    ]);
  });

  it("gives a re-run job and the reopened summary fresh check runs", async () => {
    const checks = fakeChecks();
    const r = reporters();
    const view = plannedView(LEAN);
    const reporter = r.reporterFor(view.pipeline);
    await reporter.pipelineCreated(view);
    const done = finishAll(view);
    for (const job of done.jobs) await reporter.jobChanged(done, job);
    await reporter.pipelineCompleted(done);
    await r.idle();

    const lint = done.jobs[0] as JobRecord;
    const again: JobRecord = {
      ...lint,
      state: "pending",
      attempt: 2,
      conclusion: null,
      result: null,
    };
    const reopened = withJob({ ...done, pipeline: { ...done.pipeline, status: "running" } }, again);
    await reporter.jobChanged(reopened, again);
    await r.idle();

    expect(checks.named("Pylot / lint").map((run) => [run.external_id, run.status])).toEqual([
      [`job/1/${lint.id}`, "completed"],
      [`job/2/${lint.id}`, "queued"],
    ]);
    expect(checks.named("Pylot").map((run) => [run.external_id, run.status])).toEqual([
      [`summary/1/${view.pipeline.id}`, "completed"],
      [`summary/2/${view.pipeline.id}`, "in_progress"],
    ]);
  });

  it("folds more than 20 legs into one test matrix check run", async () => {
    const checks = fakeChecks({ updates: false });
    const r = reporters();
    const versions = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];
    const view = plannedView({ ...LEAN, python: versions, os: ["linux", "mac", "win"] });

    await r.reporterFor(view.pipeline).pipelineCreated(view);
    await r.idle();

    expect(checks.runs.map((run) => run.name)).toEqual([
      "Pylot / lint",
      "Pylot / test matrix",
      "Pylot",
    ]);
  });
});
