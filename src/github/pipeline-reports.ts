import type { JobRecord, Store } from "../engine/ports.js";
import type { GateResult } from "../pipeline/state.js";
import {
  formatPercent,
  mergeCoverage,
  type CoverageReport,
  type DiffCoverage,
  type Finding,
} from "../reports/index.js";
import { coverageRejection } from "./job-report.js";

/**
 * What a pipeline's stored job results say as a whole: its coverage (legs merged), its bandit
 * findings, and the same for the base commit a pull request compares with. Pure, except
 * `baseReports`, which reads the store.
 */

export interface MeasuredCoverage {
  /** The test legs' coverage merged: a line is covered when any leg covered it. */
  readonly report?: CoverageReport;
  /** Why there is none, when a leg's coverage report was refused. */
  readonly rejected?: string;
}

export function coverageOfJobs(jobs: readonly JobRecord[]): MeasuredCoverage {
  const legs = jobs.filter((job) => job.spec.kind === "test" && job.result !== null);
  const reports = legs.flatMap((job) => job.result?.coverageReport ?? []);
  const [only, ...more] = reports;
  if (only !== undefined) return { report: more.length === 0 ? only : mergeCoverage(reports) };
  const rejected = legs
    .map((job) => (job.result === null ? undefined : coverageRejection(job.result)))
    .find((note) => note !== undefined);
  return rejected === undefined ? {} : { rejected };
}

export interface BanditFindings {
  readonly findings: readonly Finding[];
  readonly rejected?: string;
}

/** The security job's bandit findings; undefined when bandit's report was not read. */
export function banditOfJobs(jobs: readonly JobRecord[]): BanditFindings | undefined {
  const result = jobs.find((job) => job.spec.kind === "security")?.result;
  if (result === undefined || result === null) return undefined;
  const rejected = result.rejected?.find((note) => note.startsWith("bandit report rejected"));
  if (rejected !== undefined) return { findings: [], rejected };
  if (result.tools?.includes("bandit") !== true) return undefined;
  return { findings: (result.findings ?? []).filter((finding) => finding.tool === "bandit") };
}

export interface BaseReports {
  readonly sha: string;
  readonly coverage?: CoverageReport;
  /** Undefined when the base pipeline read no bandit report. */
  readonly bandit?: readonly Finding[];
}

/**
 * The reports stored for a base commit (pipelines of the default branch keep theirs), or
 * undefined when no pipeline of that commit is stored yet.
 */
export async function baseReports(
  store: Pick<Store, "findPipelineBySha" | "listJobs">,
  at: { readonly repo: string; readonly sha: string },
): Promise<BaseReports | undefined> {
  const pipeline = await store.findPipelineBySha(at.repo, at.sha);
  if (pipeline === undefined) return undefined;
  const jobs = await store.listJobs(pipeline.id);
  const coverage = coverageOfJobs(jobs).report;
  const bandit = banditOfJobs(jobs);
  return {
    sha: at.sha,
    ...(coverage === undefined ? {} : { coverage }),
    ...(bandit === undefined || bandit.rejected !== undefined ? {} : { bandit: bandit.findings }),
  };
}

export interface CoverageVerdictInput {
  readonly total: number;
  readonly minimum?: number | undefined;
  /** Undefined when the pipeline built no pull request (or its files could not be read). */
  readonly diff?: DiffCoverage | undefined;
  readonly diffMinimum?: number | undefined;
  /** Why diff coverage is unknown although the pipeline built a pull request. */
  readonly diffUnknown?: string | undefined;
}

const EPSILON = 1e-9;

/** `test.coverage.minimum` on the total and `diff-minimum` on the changed lines. */
export function coverageVerdict(input: CoverageVerdictInput): GateResult {
  const failures: string[] = [];
  const parts: string[] = [];
  const total = `coverage ${formatPercent(input.total)}`;
  if (input.minimum !== undefined && input.total + EPSILON < input.minimum)
    failures.push(`${total} is below the minimum ${input.minimum}%`);
  else parts.push(input.minimum === undefined ? total : `${total} (minimum ${input.minimum}%)`);
  const diff = input.diff;
  if (diff !== undefined) {
    const figure = diff.totals.percent;
    const lines = `${diff.totals.executable} changed line${diff.totals.executable === 1 ? "" : "s"}`;
    const text = figure === undefined ? "" : `diff coverage ${formatPercent(figure)} of ${lines}`;
    if (figure === undefined) parts.push("no changed executable line");
    else if (input.diffMinimum !== undefined && figure + EPSILON < input.diffMinimum)
      failures.push(`${text} is below the minimum ${input.diffMinimum}%`);
    else
      parts.push(
        input.diffMinimum === undefined ? text : `${text} (minimum ${input.diffMinimum}%)`,
      );
  } else if (input.diffUnknown !== undefined) {
    parts.push(`diff coverage unknown: ${input.diffUnknown}`);
  }
  if (failures.length > 0)
    return { conclusion: "failure", summary: [...failures, ...parts].join("; ") };
  return { conclusion: "success", summary: parts.join("; ") };
}
