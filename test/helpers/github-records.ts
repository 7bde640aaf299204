import { validateConfigValue, type PylotConfigInput } from "../../src/config/index.js";
import type { JobRecord, PipelineView } from "../../src/engine/ports.js";
import { newJobRecord, newPipelineRecord } from "../../src/engine/records.js";
import { plan } from "../../src/pipeline/index.js";
import type { Conclusion, JobResult } from "../../src/pipeline/types.js";

export const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/** A planned pipeline's records as the engine would store them, from a config. */
export function plannedView(config: PylotConfigInput = {}): PipelineView {
  const parsed = validateConfigValue(config, { file: ".github/pylot.yml" });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const pipelinePlan = plan(parsed.config, { defaultPython: "3.11" });
  const pipeline = newPipelineRecord({
    trigger: {
      source: "github",
      event: "pull_request",
      sha: SHA,
      ref: "refs/pull/2/head",
      repo: "Codertocat/Hello-World",
      pullRequest: 2,
      installationId: 957387,
    },
    plan: pipelinePlan,
    source: { kind: "github", repo: "Codertocat/Hello-World", sha: SHA, installationId: 957387 },
    now: "2024-05-01T10:00:00.000Z",
  });
  return { pipeline, jobs: pipelinePlan.jobs.map((spec) => newJobRecord(pipeline.id, spec)) };
}

export function started(job: JobRecord, at = "2024-05-01T10:00:01.000Z"): JobRecord {
  return { ...job, state: "in_progress", startedAt: at };
}

export function finished(
  job: JobRecord,
  conclusion: Conclusion,
  extra: Partial<JobResult> = {},
): JobRecord {
  const startedAt = job.startedAt ?? "2024-05-01T10:00:01.000Z";
  const finishedAt = "2024-05-01T10:00:04.500Z";
  const result: JobResult = {
    jobId: job.id,
    attempt: job.attempt,
    conclusion,
    summary: `${job.spec.name} ${conclusion}`,
    startedAt,
    finishedAt,
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
    ...extra,
  };
  return { ...job, state: "completed", conclusion, result, startedAt, finishedAt };
}

export function withJob(view: PipelineView, job: JobRecord): PipelineView {
  return { ...view, jobs: view.jobs.map((j) => (j.id === job.id ? job : j)) };
}

export function completedView(view: PipelineView, conclusion: Conclusion): PipelineView {
  return {
    ...view,
    pipeline: {
      ...view.pipeline,
      status: "completed",
      conclusion,
      updatedAt: "2024-05-01T10:00:05.000Z",
    },
  };
}
