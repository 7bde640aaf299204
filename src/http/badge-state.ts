import type { DeploymentRecord } from "../deploy/types.js";
import type { JobRecord, PipelineRecord, PipelineView } from "../engine/ports.js";
import type { Conclusion } from "../pipeline/types.js";

/** What a badge shows: pure data, rendered by badge-render.ts. */
export interface BadgeFace {
  readonly label: string;
  readonly message: string;
  readonly color: string;
}

export const STATUS_STATES = [
  "passing",
  "failing",
  "cancelled",
  "skipped",
  "running",
  "unknown",
] as const;
export type StatusState = (typeof STATUS_STATES)[number];

const STATUS_COLORS: Readonly<Record<StatusState, string>> = {
  passing: "brightgreen",
  failing: "red",
  cancelled: "lightgrey",
  skipped: "lightgrey",
  running: "blue",
  unknown: "lightgrey",
};

const UNKNOWN = "unknown";
const GREY = "lightgrey";

export function stateOf(conclusion: Conclusion | null): StatusState {
  switch (conclusion) {
    case "success":
      return "passing";
    case "failure":
    case "timed_out":
      return "failing";
    case "cancelled":
      return "cancelled";
    case "skipped":
      return "skipped";
    case "neutral":
    case null:
      return "unknown";
  }
}

/** A job by its display name, with or without the check run's "Pylot / " prefix. */
export function findCheck(jobs: readonly JobRecord[], check: string): JobRecord | undefined {
  const name = check.startsWith("Pylot / ") ? check.slice("Pylot / ".length) : check;
  return jobs.find((job) => job.spec.name === name);
}

export interface StatusInput {
  /** The newest pipeline of the branch, finished or not. */
  readonly latest: PipelineRecord | undefined;
  /** The newest finished pipeline of the branch, with its jobs. */
  readonly finished: PipelineView | undefined;
  /** One job's display name (`test (3.12, linux)`); the whole pipeline when absent. */
  readonly check?: string | undefined;
}

/**
 * The last finished pipeline decides. Two exceptions read better on a README: nothing finished
 * yet but a pipeline runs ("running"), and the last finished one was cancelled because a newer
 * pipeline replaced it, which is still running ("running", not "cancelled").
 */
export function statusState(input: StatusInput): StatusState {
  const { latest, finished } = input;
  const running = latest !== undefined && latest.status === "running";
  if (finished === undefined) return running ? "running" : "unknown";
  if (finished.pipeline.conclusion === "cancelled" && running) return "running";
  if (input.check === undefined) return stateOf(finished.pipeline.conclusion);
  const job = findCheck(finished.jobs, input.check);
  return job === undefined ? "unknown" : stateOf(job.conclusion);
}

export function statusFace(input: StatusInput): BadgeFace {
  const state = statusState(input);
  const label = input.check === undefined ? "pylot" : input.check;
  return { label, message: state, color: STATUS_COLORS[state] };
}

/** The total coverage of a pipeline and the minimum its config set, when it measured any. */
export function coverageOf(
  jobs: readonly JobRecord[],
): { readonly total: number; readonly minimum: number | undefined } | undefined {
  const gate = jobs.find((job) => job.spec.evaluate?.kind === "coverage-gate");
  const legKey = gate?.spec.needs[0];
  const leg = jobs.find((job) => job.spec.key === legKey);
  const total =
    leg?.result?.coverage ??
    gate?.result?.coverage ??
    jobs.find((job) => job.result?.coverage !== undefined)?.result?.coverage;
  if (total === undefined) return undefined;
  return { total, minimum: gate?.spec.evaluate?.minimum };
}

/** Shields' usual steps without a minimum; with one, green when the gate passes, else red. */
export function coverageColor(total: number, minimum: number | undefined): string {
  if (minimum !== undefined) return total >= minimum ? "brightgreen" : "red";
  if (total >= 90) return "brightgreen";
  if (total >= 80) return "green";
  if (total >= 70) return "yellowgreen";
  if (total >= 60) return "yellow";
  if (total >= 50) return "orange";
  return "red";
}

/** Rounded down to a tenth, so 79.96 % never reads "80%" under a minimum of 80. */
export function formatPercent(total: number): string {
  return `${String(Math.floor(total * 10) / 10)}%`;
}

export function coverageFace(finished: PipelineView | undefined): BadgeFace {
  const coverage = finished === undefined ? undefined : coverageOf(finished.jobs);
  if (coverage === undefined) return { label: "coverage", message: UNKNOWN, color: GREY };
  return {
    label: "coverage",
    message: formatPercent(coverage.total),
    color: coverageColor(coverage.total, coverage.minimum),
  };
}

/**
 * The commit live in an environment: the newest deployment whose latest status is `success`
 * (GitHub marks the ones it replaced `inactive`, and a failed newer one leaves it live).
 */
export function deployFace(env: string, newestFirst: readonly DeploymentRecord[]): BadgeFace {
  const live = newestFirst.find(
    (record) => record.environment === env && record.state === "success",
  );
  if (live === undefined) return { label: env, message: UNKNOWN, color: GREY };
  return { label: env, message: live.sha.slice(0, 7), color: "blue" };
}

/** What unknown repositories and private ones without a valid token both get. */
export const NOT_FOUND_FACE: BadgeFace = { label: "pylot", message: "not found", color: GREY };
