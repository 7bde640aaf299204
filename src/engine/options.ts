import type { Logger } from "pino";
import type { GateResult } from "../pipeline/state.js";
import type { Conclusion, JobResult, Pipeline, Trigger } from "../pipeline/types.js";
import type {
  ArtifactHook,
  JobRecord,
  PipelineRecord,
  PipelineView,
  Reporter,
  SourceRef,
  Store,
} from "./ports.js";

/** What the Engine is built with and takes: its options, a start, a re-run's choice. */

export interface EngineOptions {
  readonly store: Store;
  readonly reporterFor: (pipeline: PipelineRecord) => Reporter;
  readonly logger: Logger;
  readonly now?: () => Date;
  /**
   * Secrets of a pipeline this process did not start (after a restart): they live in memory
   * only, never in the store, so they are looked up again from where they came from.
   */
  readonly secretsFor?: (pipeline: PipelineRecord) => Readonly<Record<string, string>>;
  /** How the host decides engine-evaluated jobs; without it, the total-only coverage gate. */
  readonly gates?: EngineGates;
  /** Keeps what builds produce (the App's artifact store); without it, files stay with runners. */
  readonly artifacts?: ArtifactHook;
}

/** A gate's verdict and the figures it adds to the job's result. */
export interface GateOutcome extends GateResult {
  readonly result?: Partial<
    Pick<JobResult, "coverage" | "coverageReport" | "diffCoverage" | "baseCoverage" | "rejected">
  >;
}

/** Gates the host computes (the App adds the pull request's diff coverage from GitHub). */
export interface EngineGates {
  /** Undefined (or a failure) falls back to `evaluateCoverageGate` on the leg's total. */
  coverage?(view: PipelineView, job: JobRecord): Promise<GateOutcome | undefined>;
}

export interface StartInput {
  readonly trigger: Trigger;
  readonly plan: Pipeline;
  readonly source: SourceRef;
  readonly secrets?: Readonly<Record<string, string>>;
}

export type RerunSelection =
  | { readonly kind: "all" }
  | { readonly kind: "failed" }
  | { readonly kind: "job"; readonly key: string };

const RERUNNABLE: readonly Conclusion[] = ["failure", "timed_out", "cancelled", "skipped"];

/** The keys of the jobs a re-run asks for (their dependents are added by the engine). */
export function selectKeys(jobs: readonly JobRecord[], which: RerunSelection): string[] {
  switch (which.kind) {
    case "all":
      return jobs.map((job) => job.spec.key);
    case "failed":
      return jobs
        .filter((job) => job.conclusion !== null && RERUNNABLE.includes(job.conclusion))
        .map((job) => job.spec.key);
    case "job":
      return [which.key];
  }
}
