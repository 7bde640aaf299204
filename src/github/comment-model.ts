import type { JobRecord, PipelineView } from "../engine/ports.js";
import {
  compareFindings,
  diffCoverage,
  newSuppressions,
  pullRequestChanges,
  type Finding,
  type FindingTool,
  type LegTests,
  type PrCommentModel,
  type PullRequestFile,
} from "../reports/index.js";
import { checkName } from "./desired-checks.js";
import { EXTERNAL_KEYS } from "./check-run-states.js";
import { testRejection } from "./job-report.js";
import { banditOfJobs, coverageOfJobs, type BaseReports } from "./pipeline-reports.js";

export interface CommentInput {
  readonly view: PipelineView;
  /** Job id → its check run's page, as the reporter learnt them. */
  readonly links?: ReadonlyMap<string, string>;
  /** The `Pylot` check run's page. */
  readonly summaryUrl?: string;
  /** The pull request's files with patches; undefined when they could not be read. */
  readonly files?: readonly PullRequestFile[];
  /** The base commit's stored reports; undefined when none are stored. */
  readonly base?: BaseReports;
}

/** True when the pipeline has anything for a comment: a test report, coverage, findings. */
export function hasReports(view: PipelineView): boolean {
  return view.jobs.some((job) => {
    const result = job.result;
    if (result === null) return false;
    return (
      result.tests !== undefined ||
      result.coverageReport !== undefined ||
      result.tools !== undefined ||
      (result.rejected?.length ?? 0) > 0
    );
  });
}

function urlOf(job: JobRecord, links: ReadonlyMap<string, string> | undefined) {
  return links?.get(job.id) ?? job.external[EXTERNAL_KEYS.url];
}

function legsOf(input: CommentInput): LegTests[] {
  return input.view.jobs
    .filter((job) => job.spec.kind === "test")
    .map((job) => {
      const url = urlOf(job, input.links);
      const result = job.result;
      const rejected = result === null ? undefined : testRejection(result);
      return {
        leg: job.spec.name,
        ...(result?.tests === undefined ? {} : { report: result.tests }),
        ...(rejected === undefined ? {} : { rejected }),
        ...(url === undefined ? {} : { url }),
      };
    });
}

function coverageOf(input: CommentInput): PrCommentModel["coverage"] {
  const gate = input.view.jobs.find((job) => job.spec.evaluate?.kind === "coverage-gate");
  const measured = coverageOfJobs(input.view.jobs);
  if (gate === undefined && measured.report === undefined && measured.rejected === undefined)
    return undefined;
  const report = measured.report;
  const files = input.files;
  const diff =
    report === undefined || files === undefined
      ? undefined
      : diffCoverage(report, pullRequestChanges(files).changed);
  const base = input.base;
  const minimum = gate?.spec.evaluate?.minimum;
  const diffMinimum = gate?.spec.evaluate?.diffMinimum;
  return {
    ...(report === undefined ? {} : { report }),
    ...(measured.rejected === undefined ? {} : { rejected: measured.rejected }),
    ...(base?.coverage === undefined ? {} : { base: { sha: base.sha, coverage: base.coverage } }),
    ...(diff === undefined ? {} : { diff }),
    ...(minimum === undefined ? {} : { minimum }),
    ...(diffMinimum === undefined ? {} : { diffMinimum }),
  };
}

function securityOf(input: CommentInput): PrCommentModel["security"] {
  const head = banditOfJobs(input.view.jobs);
  if (head === undefined) return undefined;
  if (head.rejected !== undefined) return { findings: [], rejected: head.rejected };
  const base = input.base?.bandit;
  return {
    findings: head.findings,
    ...(base === undefined ? {} : { comparison: compareFindings(head.findings, base) }),
  };
}

function analysisOf(view: PipelineView): PrCommentModel["analysis"] {
  const jobs = view.jobs.filter((job) => job.spec.kind === "lint" || job.spec.kind === "typecheck");
  const tools = new Set<FindingTool>();
  const findings: Finding[] = [];
  for (const job of jobs) {
    for (const tool of job.result?.tools ?? []) tools.add(tool);
    findings.push(...(job.result?.findings ?? []).filter((finding) => finding.tool !== "bandit"));
  }
  if (tools.size === 0) return undefined;
  return { tools: [...tools], findings };
}

function notesOf(input: CommentInput): string[] {
  const notes = [...input.view.pipeline.plan.warnings];
  if (input.files === undefined)
    notes.push("The pull request's changes could not be read: no diff coverage or suppressions.");
  const omitted = input.view.jobs.reduce((sum, job) => sum + (job.result?.findingsOmitted ?? 0), 0);
  if (omitted > 0) notes.push(`${omitted} more findings are counted on the check runs only.`);
  return notes;
}

/** The sticky comment's model from a completed pipeline and its pull request. Pure. */
export function commentModel(input: CommentInput): PrCommentModel {
  const { pipeline } = input.view;
  const coverage = coverageOf(input);
  const security = securityOf(input);
  const analysis = analysisOf(input.view);
  const added = input.files === undefined ? [] : pullRequestChanges(input.files).added;
  const notes = notesOf(input);
  return {
    sha: pipeline.trigger.sha,
    conclusion: pipeline.conclusion,
    ...(input.summaryUrl === undefined ? {} : { url: input.summaryUrl }),
    checks: input.view.jobs.map((job) => {
      const url = urlOf(job, input.links);
      return {
        name: checkName(job),
        conclusion: job.state === "completed" ? job.conclusion : null,
        ...(url === undefined ? {} : { url }),
      };
    }),
    tests: legsOf(input),
    ...(coverage === undefined ? {} : { coverage }),
    ...(security === undefined ? {} : { security }),
    ...(analysis === undefined ? {} : { analysis }),
    suppressions: newSuppressions(added),
    ...(notes.length === 0 ? {} : { notes }),
  };
}
