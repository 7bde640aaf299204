import { join } from "node:path";
import type { Logger } from "pino";
import type { DispatchRequest } from "../engine/ports.js";
import type { JobResult } from "../pipeline/types.js";
import type { Confinement } from "./confinement.js";
import type { Interpreter } from "./interpreter-choice.js";
import type { JobLog } from "./job-log.js";
import { formatDuration, type JobProgress, stopSummary, type StopReason } from "./job-progress.js";
import type { PlannedStep } from "./job-steps.js";
import type { Redactor } from "./redact.js";
import { redactReports } from "./report-redaction.js";
import type { Sandbox } from "./sandbox.js";
import type { FetchSource } from "./source.js";
import type { StepContext } from "./step-context.js";
import type { Stopper } from "./stopper.js";
import type { JobPaths } from "./workspace.js";

/** The executor's settings, with defaults applied. */
export interface Settings {
  readonly workdir: string;
  readonly logger: Logger;
  readonly fetchSource: FetchSource | undefined;
  readonly logTailBytes: number;
  readonly logMaxBytes: number;
  readonly systemPath: string;
  readonly killGraceMs: number;
  readonly redact: readonly string[];
  readonly interpreters: () => Promise<Interpreter[]>;
  readonly sandbox: Promise<Sandbox>;
}

export interface JobInput {
  readonly request: DispatchRequest;
  readonly signal: AbortSignal;
  readonly onStart: () => void;
  readonly settings: Settings;
}

/** One job's moving parts, shared by the phases of a job. */
export interface Job extends JobInput {
  readonly paths: JobPaths;
  readonly log: JobLog;
  readonly redactor: Redactor;
  readonly stop: Stopper;
  readonly progress: JobProgress;
  readonly logger: Logger;
}

/** A fault of the runner itself (a full disk, a bug): still a result, never a rejection. */
export function runnerFailure(job: Job, error: unknown): JobResult {
  job.logger.error({ err: error }, "runner error");
  const reason = error instanceof Error ? error.message : String(error);
  return finish(job, "failure", `the runner failed: ${reason}`);
}

/** Runs the planned steps in order; the first failure or stop skips the rest. */
export async function runPlanned(
  job: Job,
  ctx: StepContext,
  planned: readonly PlannedStep[],
  confinement: Confinement,
): Promise<JobResult> {
  const { progress, log } = job;
  for (const [index, step] of planned.entries()) {
    log.line(`==> ${step.name}`);
    const started = performance.now();
    const outcome = await step.run(ctx);
    const ms = performance.now() - started;
    const stopped = job.stop.reason() ?? (outcome.kind === "stopped" ? "cancelled" : undefined);
    if (outcome.kind === "stopped" || stopped !== undefined) {
      progress.steps.push({
        name: step.name,
        conclusion: stopped ?? "cancelled",
        exitCode: null,
        durationMs: ms,
      });
      progress.addTiming(step.phase, ms);
      const summary = stopSummary(stopped ?? "cancelled", job.request.spec.timeoutMs, step.name);
      return skipRest(job, planned.slice(index + 1), stopped ?? "cancelled", summary);
    }
    const reportsMs = outcome.reportsMs ?? 0;
    progress.addTiming(step.phase, ms - reportsMs);
    progress.addTiming("reports", reportsMs);
    progress.steps.push({
      name: step.name,
      conclusion: outcome.conclusion,
      exitCode: outcome.exitCode,
      durationMs: ms,
    });
    Object.assign(
      progress.reports,
      await redactReports({ reports: outcome.reports ?? {}, redactor: job.redactor, log }),
    );
    if (outcome.coverage !== undefined) progress.coverage = outcome.coverage;
    progress.artifacts.push(...(outcome.artifacts ?? []));
    log.line(`<== ${step.name}: ${outcome.summary} (${formatDuration(ms)})`);
    if (outcome.conclusion === "failure") {
      const note = await confinement.limitNote();
      if (note !== undefined) log.line(`[pylot] ${note}`);
      const summary = note === undefined ? outcome.summary : `${outcome.summary}: ${note}`;
      return skipRest(job, planned.slice(index + 1), "failure", summary);
    }
    if (step.phase === "steps") progress.passed.push(outcome.summary);
  }
  return finish(job, "success", progress.successSummary());
}

function skipRest(
  job: Job,
  rest: readonly PlannedStep[],
  conclusion: StopReason | "failure",
  summary: string,
): JobResult {
  for (const step of rest) job.progress.skip(step.name);
  return finish(job, conclusion, summary);
}

/** Ends a job before any step ran: its configured steps are reported as skipped. */
export function skipAll(job: Job, conclusion: StopReason | "failure", summary: string): JobResult {
  for (const step of job.request.spec.steps) job.progress.skip(step.kind);
  return finish(job, conclusion, summary);
}

export function finish(
  job: Job,
  conclusion: StopReason | "failure" | "success",
  summary: string,
): JobResult {
  job.log.line(`[pylot] ${conclusion}: ${summary}`);
  job.progress.reports["job.log"] = join(job.paths.reports, "job.log");
  const result = job.progress.finish({
    jobId: job.request.jobId,
    attempt: job.request.attempt,
    conclusion,
    summary: job.log.redact(summary),
    logTail: job.log.tail(),
  });
  // Summaries and step names quote config commands and error messages: mask them as the log is.
  return {
    ...result,
    steps: result.steps.map((step) => ({ ...step, name: job.log.redact(step.name) })),
  };
}
