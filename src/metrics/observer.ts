import type { JobRecord, PipelineView, Reporter } from "../engine/ports.js";
import type { PylotMetrics } from "./registry.js";

/** Something that watches pipelines go by without taking part: metrics, the shutdown drain. */
export interface PipelineObserver {
  jobChanged?(job: JobRecord): void;
  pipelineCompleted?(view: PipelineView): void;
}

/**
 * A Reporter that tells observers, then the reporter it wraps. Observers are synchronous and
 * cannot fail the report: a throwing one is the observers' bug, never the pipeline's.
 */
export function observeReporter(
  reporter: Reporter,
  observers: readonly PipelineObserver[],
): Reporter {
  const tell = (call: (observer: PipelineObserver) => void) => {
    for (const observer of observers) {
      try {
        call(observer);
      } catch {
        // An observer only counts; losing one count must not lose a check run update.
      }
    }
  };
  return {
    pipelineCreated: (view) => reporter.pipelineCreated(view),
    jobChanged(view, job) {
      tell((o) => o.jobChanged?.(job));
      return reporter.jobChanged(view, job);
    },
    pipelineCompleted(view) {
      tell((o) => o.pipelineCompleted?.(view));
      return reporter.pipelineCompleted(view);
    },
  };
}

/** Seconds between a job's start and finish, when both are known and in order. */
export function jobSeconds(job: Pick<JobRecord, "startedAt" | "finishedAt">): number | undefined {
  if (job.startedAt === null || job.finishedAt === null) return undefined;
  const ms = Date.parse(job.finishedAt) - Date.parse(job.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

/**
 * Counts completions. The engine reports each job transition once (it is a compare-and-set in
 * the store), so a completed job is counted once per attempt, on the replica that applied it.
 */
export function metricsObserver(
  metrics: Pick<PylotMetrics, "jobCompleted" | "pipelineCompleted">,
): PipelineObserver {
  return {
    jobChanged(job) {
      if (job.state !== "completed" || job.conclusion === null) return;
      metrics.jobCompleted({
        kind: job.spec.kind,
        conclusion: job.conclusion,
        seconds: jobSeconds(job),
      });
    },
    pipelineCompleted(view) {
      if (view.pipeline.conclusion !== null) metrics.pipelineCompleted(view.pipeline.conclusion);
    },
  };
}
