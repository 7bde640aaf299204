import type { Artifact, Conclusion, JobResult, StepResult } from "../pipeline/types.js";

/** Durations as people read them in a log or a summary: "850ms", "2.4s", "20m", "1h 5m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)}h${rest === 0 ? "" : ` ${rest}m`}`;
}

export type StopReason = "timed_out" | "cancelled";

export function stopSummary(reason: StopReason, timeoutMs: number, step: string | undefined) {
  const where = step === undefined ? "" : ` during ${step}`;
  return reason === "timed_out"
    ? `timed out after ${formatDuration(timeoutMs)}${where}`
    : `cancelled${where}`;
}

/**
 * What a job accumulates while it runs; `finish` turns it into the JobResult. Mutable on
 * purpose: one instance per job, written by one sequential loop.
 */
export class JobProgress {
  readonly steps: StepResult[] = [];
  readonly reports: Record<string, string> = {};
  /** Every phase is present (0 when it did not run), so readers need no guesswork. */
  readonly timings: Record<string, number> = {
    workspace: 0,
    venv: 0,
    install: 0,
    steps: 0,
    reports: 0,
  };
  readonly passed: string[] = [];
  readonly artifacts: Artifact[] = [];
  coverage: number | undefined;
  interpreter: string | undefined;
  readonly #startedAt = new Date();
  readonly #started = performance.now();

  addTiming(name: string, ms: number): void {
    this.timings[name] = (this.timings[name] ?? 0) + Math.max(0, ms);
  }

  skip(name: string): void {
    this.steps.push({ name, conclusion: "skipped", exitCode: null, durationMs: 0 });
  }

  finish(input: {
    readonly jobId: string;
    readonly attempt: number;
    readonly conclusion: Conclusion;
    readonly summary: string;
    readonly logTail: string;
  }): JobResult {
    this.addTiming("total", performance.now() - this.#started);
    const timings = Object.fromEntries(
      Object.entries(this.timings).map(([name, ms]) => [name, Math.round(ms)]),
    );
    return {
      jobId: input.jobId,
      attempt: input.attempt,
      conclusion: input.conclusion,
      summary: input.summary,
      startedAt: this.#startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      logTail: input.logTail,
      steps: this.steps.map((step) => ({ ...step, durationMs: Math.round(step.durationMs) })),
      reports: this.reports,
      timings,
      ...(this.coverage === undefined ? {} : { coverage: this.coverage }),
      ...(this.interpreter === undefined ? {} : { interpreter: this.interpreter }),
      ...(this.artifacts.length === 0 ? {} : { artifacts: this.artifacts }),
    };
  }

  /** One line for a job whose steps all passed. */
  successSummary(): string {
    return this.passed.length > 0 ? this.passed.join("; ") : "all steps passed";
  }
}
