import type { Conclusion, JobSpec, Pipeline } from "./types.js";

/** The part of a job's live state that decisions depend on. */
export interface JobSnapshot {
  readonly spec: JobSpec;
  readonly state: "pending" | "queued" | "in_progress" | "completed";
  readonly conclusion: Conclusion | null;
}

export const STOP_REASONS = ["needs-failed", "fail-fast"] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface Decision {
  /** Pending jobs whose needs are met, in plan order, within max-parallel. */
  readonly dispatch: readonly string[];
  /** Jobs to end without running. */
  readonly stop: readonly {
    readonly key: string;
    readonly conclusion: Conclusion;
    readonly reason: StopReason;
  }[];
  /** The pipeline's conclusion once every job is completed. */
  readonly done: Conclusion | undefined;
}

const PASSING: readonly Conclusion[] = ["success", "neutral"];
const FAILING: readonly Conclusion[] = ["failure", "timed_out"];

function isFailed(job: JobSnapshot): boolean {
  return job.state === "completed" && job.conclusion !== null && FAILING.includes(job.conclusion);
}

/** failure beats cancelled beats success; skipped and neutral jobs do not fail a pipeline. */
export function aggregateConclusion(conclusions: readonly (Conclusion | null)[]): Conclusion {
  if (conclusions.some((c) => c !== null && FAILING.includes(c))) return "failure";
  if (conclusions.some((c) => c === "cancelled")) return "cancelled";
  return "success";
}

function needsState(job: JobSnapshot, byKey: ReadonlyMap<string, JobSnapshot>) {
  const needs = job.spec.needs.map((key) => byKey.get(key));
  if (needs.some((n) => n?.state === "completed" && !PASSING.includes(n.conclusion ?? "failure")))
    return "failed";
  return needs.every((n) => n === undefined || n.state === "completed") ? "met" : "waiting";
}

/**
 * What to do next with a pipeline, from its jobs' states. Pure, so the engine can call it after
 * every change and on resume; applying the same decision twice is harmless because the engine
 * applies each transition with a compare-and-set.
 */
export function decide(
  pipeline: Pick<Pipeline, "failFast" | "maxParallel">,
  jobs: readonly JobSnapshot[],
): Decision {
  const byKey = new Map(jobs.map((job) => [job.spec.key, job]));
  const failFast = pipeline.failFast && jobs.some((job) => job.spec.matrix && isFailed(job));
  const stop: { key: string; conclusion: Conclusion; reason: StopReason }[] = [];
  const dispatch: string[] = [];
  let runningLegs = jobs.filter(
    (job) => job.spec.matrix && (job.state === "queued" || job.state === "in_progress"),
  ).length;
  for (const job of jobs) {
    if (job.state !== "pending") {
      if (failFast && job.spec.matrix && job.state === "queued")
        stop.push({ key: job.spec.key, conclusion: "cancelled", reason: "fail-fast" });
      continue;
    }
    if (failFast && job.spec.matrix) {
      stop.push({ key: job.spec.key, conclusion: "cancelled", reason: "fail-fast" });
      continue;
    }
    const needs = needsState(job, byKey);
    if (needs === "failed") {
      stop.push({ key: job.spec.key, conclusion: "skipped", reason: "needs-failed" });
      continue;
    }
    if (needs === "waiting") continue;
    if (job.spec.matrix && pipeline.maxParallel !== undefined) {
      if (runningLegs >= pipeline.maxParallel) continue;
      runningLegs += 1;
    }
    dispatch.push(job.spec.key);
  }
  const allDone = jobs.every((job) => job.state === "completed");
  const done = allDone ? aggregateConclusion(jobs.map((job) => job.conclusion)) : undefined;
  return { dispatch, stop, done };
}

/** The jobs that depend on `keys`, directly or not, plus `keys` themselves, in plan order. */
export function withDependents(jobs: readonly JobSpec[], keys: readonly string[]): string[] {
  const selected = new Set(keys);
  let grew = true;
  while (grew) {
    grew = false;
    for (const job of jobs) {
      if (!selected.has(job.key) && job.needs.some((need) => selected.has(need))) {
        selected.add(job.key);
        grew = true;
      }
    }
  }
  return jobs.filter((job) => selected.has(job.key)).map((job) => job.key);
}

export interface GateResult {
  readonly conclusion: Conclusion;
  readonly summary: string;
}

/** The coverage gate: the measured leg's total against `test.coverage.minimum`. */
export function evaluateCoverageGate(
  minimum: number | undefined,
  measured: { readonly coverage?: number | undefined; readonly legName: string } | undefined,
): GateResult {
  if (measured?.coverage === undefined) {
    const leg = measured?.legName ?? "the coverage leg";
    return { conclusion: "failure", summary: `${leg} produced no coverage data` };
  }
  const total = `${measured.coverage.toFixed(1)}%`;
  if (minimum === undefined) return { conclusion: "success", summary: `coverage ${total}` };
  if (measured.coverage + 1e-9 < minimum)
    return { conclusion: "failure", summary: `coverage ${total} is below the minimum ${minimum}%` };
  return { conclusion: "success", summary: `coverage ${total} (minimum ${minimum}%)` };
}
