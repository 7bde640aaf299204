import type { Decision } from "../pipeline/state.js";
import type { Conclusion, JobResult } from "../pipeline/types.js";
import type { JobInputs, JobRecord, PipelineView } from "./ports.js";

/** The result of a job that ended without a runner: skipped, cancelled, or a gate. */
export function syntheticResult(
  job: JobRecord,
  conclusion: Conclusion,
  summary: string,
  now: string,
): JobResult {
  return {
    jobId: job.id,
    attempt: job.attempt,
    conclusion,
    summary,
    startedAt: job.startedAt ?? now,
    finishedAt: now,
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
  };
}

export function stopSummary(stop: Decision["stop"][number], view: PipelineView): string {
  switch (stop.reason) {
    case "fail-fast": {
      const failed = view.jobs.find(
        (job) =>
          job.spec.matrix && (job.conclusion === "failure" || job.conclusion === "timed_out"),
      );
      return `cancelled by fail-fast: ${failed?.spec.name ?? "a leg"} failed`;
    }
    case "needs-failed": {
      const job = view.jobs.find((j) => j.spec.key === stop.key);
      const needs = job?.spec.needs.join(", ") ?? "a required job";
      return `skipped: ${needs} did not succeed`;
    }
  }
}

/**
 * The artifacts of the jobs `job` needs, each with the path of its `dist/<name>` report: the
 * engine's kept copy (src/artifacts), or where its runner left it when nothing keeps them (the
 * CLI); undefined when they built nothing.
 */
export function jobInputs(job: JobRecord, jobs: readonly JobRecord[]): JobInputs | undefined {
  const needed = jobs.filter((other) => job.spec.needs.includes(other.spec.key));
  const artifacts = needed.flatMap((other) =>
    (other.result?.artifacts ?? []).flatMap((artifact) => {
      const path = other.result?.reports[`dist/${artifact.name}`];
      return path === undefined ? [] : [{ ...artifact, path, job: other.spec.key }];
    }),
  );
  return artifacts.length === 0 ? undefined : { artifacts };
}
