import pino from "pino";
import type {
  DispatchRequest,
  JobExecutor,
  JobRecord,
  PipelineView,
  Reporter,
} from "../../src/engine/ports.js";
import type { Conclusion, JobResult } from "../../src/pipeline/types.js";

export const silentLogger = pino({ level: "silent" });

export type Outcome = { conclusion: Conclusion; coverage?: number; summary?: string };

/**
 * A JobExecutor for engine tests: each job's outcome comes from `decide`, which may wait (to
 * hold a job running) and sees the abort signal like a real runner does.
 */
export function scriptedExecutor(
  decide: (request: DispatchRequest, signal: AbortSignal) => Promise<Outcome> | Outcome,
): JobExecutor & { calls: DispatchRequest[] } {
  const calls: DispatchRequest[] = [];
  return {
    calls,
    async execute(request, { signal, onStart }) {
      calls.push(request);
      const startedAt = new Date().toISOString();
      onStart();
      const outcome = await decide(request, signal);
      const result: JobResult = {
        jobId: request.jobId,
        attempt: request.attempt,
        conclusion: signal.aborted ? "cancelled" : outcome.conclusion,
        summary: outcome.summary ?? outcome.conclusion,
        startedAt,
        finishedAt: new Date().toISOString(),
        logTail: "",
        steps: [],
        reports: {},
        timings: {},
        ...(outcome.coverage === undefined ? {} : { coverage: outcome.coverage }),
      };
      return result;
    },
  };
}

/** Resolves when `signal` aborts: a job that runs until it is cancelled. */
export function untilAborted(signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    signal.addEventListener(
      "abort",
      () => {
        resolve({ conclusion: "cancelled" });
      },
      { once: true },
    );
  });
}

export type ReporterEvent =
  | { kind: "created"; jobs: string[] }
  | {
      kind: "job";
      key: string;
      state: JobRecord["state"];
      attempt: number;
      conclusion: Conclusion | null;
    }
  | { kind: "completed"; conclusion: Conclusion | null };

/** A Reporter that records what it was told, in order. */
export function recordingReporter(): Reporter & { events: ReporterEvent[] } {
  const events: ReporterEvent[] = [];
  return {
    events,
    pipelineCreated(view: PipelineView) {
      events.push({ kind: "created", jobs: view.jobs.map((j) => j.spec.key) });
      return Promise.resolve();
    },
    jobChanged(_view: PipelineView, job: JobRecord) {
      events.push({
        kind: "job",
        key: job.spec.key,
        state: job.state,
        attempt: job.attempt,
        conclusion: job.conclusion,
      });
      return Promise.resolve();
    },
    pipelineCompleted(view: PipelineView) {
      events.push({ kind: "completed", conclusion: view.pipeline.conclusion });
      return Promise.resolve();
    },
  };
}

/** A promise with its resolve function, to hold a scripted job until the test lets it go. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
