import type { Logger } from "pino";
import type { PylotConfig } from "../config/schema.js";
import type { GateOutcome } from "../engine/engine.js";
import type { JobRecord, PipelineView, Store } from "../engine/ports.js";
import type { Pipeline } from "../pipeline/types.js";
import { diffCoverage, pullRequestChanges } from "../reports/index.js";
import { baseReports, coverageOfJobs, coverageVerdict } from "./pipeline-reports.js";
import type { PullRequestCache, PullRequestFacts, PullsPort } from "./pull-requests.js";

export interface CoverageGateOptions {
  readonly pullsFor: (installationId: number) => Promise<PullsPort>;
  readonly pullRequests: PullRequestCache;
  readonly store: Pick<Store, "findPipelineBySha" | "listJobs">;
  readonly logger: Logger;
}

type Facts =
  | { readonly kind: "none" }
  | { readonly kind: "pull"; readonly facts: PullRequestFacts }
  | { readonly kind: "unknown"; readonly why: string };

/**
 * The App's coverage gate: the legs' coverage merged against `test.coverage.minimum`, and for
 * a pull request its changed lines (from the PR files API) against `diff-minimum`, with the
 * base commit's stored coverage for the delta. Without coverage data it leaves the verdict to
 * the engine's own gate.
 */
export function createCoverageGate(
  options: CoverageGateOptions,
): (view: PipelineView, job: JobRecord) => Promise<GateOutcome | undefined> {
  const log = options.logger.child({ name: "coverage-gate" });
  const factsOf = async (view: PipelineView): Promise<Facts> => {
    const { installationId } = view.pipeline.trigger;
    if (installationId === undefined) return { kind: "none" };
    try {
      const pulls = await options.pullsFor(installationId);
      const facts = await options.pullRequests.get(pulls, view.pipeline);
      return facts === undefined ? { kind: "none" } : { kind: "pull", facts };
    } catch (error) {
      log.warn({ err: error, pipeline: view.pipeline.id }, "could not read the pull request");
      return { kind: "unknown", why: "the pull request's files could not be read" };
    }
  };
  return async (view, job) => {
    const evaluate = job.spec.evaluate;
    if (evaluate === undefined) return undefined;
    const measured = coverageOfJobs(view.jobs);
    const report = measured.report;
    if (report === undefined) {
      if (measured.rejected === undefined) return undefined;
      const rejected = [measured.rejected];
      return { conclusion: "failure", summary: measured.rejected, result: { rejected } };
    }
    const facts = await factsOf(view);
    const pull = facts.kind === "pull" ? facts.facts : undefined;
    const diff =
      pull === undefined ? undefined : diffCoverage(report, pullRequestChanges(pull.files).changed);
    const repo = view.pipeline.trigger.repo;
    const base =
      pull === undefined || repo === undefined
        ? undefined
        : await baseReports(options.store, { repo, sha: pull.pull.baseSha });
    const verdict = coverageVerdict({
      total: report.totals.percent,
      minimum: evaluate.minimum,
      diff,
      diffMinimum: evaluate.diffMinimum,
      diffUnknown: facts.kind === "unknown" ? facts.why : undefined,
    });
    return {
      ...verdict,
      result: {
        coverage: report.totals.percent,
        coverageReport: report,
        ...(diff === undefined ? {} : { diffCoverage: diff }),
        ...(base?.coverage === undefined
          ? {}
          : { baseCoverage: { sha: base.sha, totals: base.coverage.totals } }),
      },
    };
  };
}

/**
 * `test.coverage.diff-minimum` on the plan's coverage job. Only the App measures diff coverage,
 * so it adds the setting to the plan it starts (pipeline/plan.ts could carry it itself).
 */
export function withDiffMinimum(pipeline: Pipeline, config: Pick<PylotConfig, "test">): Pipeline {
  const { coverage } = config.test;
  const diffMinimum = coverage === false ? undefined : coverage["diff-minimum"];
  if (diffMinimum === undefined) return pipeline;
  return {
    ...pipeline,
    jobs: pipeline.jobs.map((job) =>
      job.evaluate?.kind === "coverage-gate"
        ? { ...job, evaluate: { ...job.evaluate, diffMinimum } }
        : job,
    ),
  };
}
