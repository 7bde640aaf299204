import type { JobRecord, PipelineView } from "../engine/ports.js";
import { aggregateConclusion } from "../pipeline/state.js";
import type { Conclusion } from "../pipeline/types.js";
import { artifactUrl } from "../http/artifact-request.js";
import type { CheckRef } from "./external-id.js";
import { artifactTable, jobAnnotations, jobReportMarkdown } from "./job-report.js";
import {
  capHead,
  cell,
  conclusionLabel,
  duration,
  firstLine,
  logBlock,
  OUTPUT_LIMIT,
  table,
} from "./markdown.js";
import type { CheckRunAction, CheckRunAnnotation } from "./ports.js";

export const SUMMARY_NAME = "Pylot";
export const MATRIX_NAME = "Pylot / test matrix";
export const CONFIG_NAME = "Pylot / config";
/** More matrix legs than this fold into one `Pylot / test matrix` check run. */
export const FOLD_ABOVE = 20;
export const RERUN_FAILED = "rerun-failed";

/** The steps and facts on top of a job's summary; its reports get the rest of the room. */
const HEAD_LIMIT = 16_000;

export type CheckStatus = "queued" | "in_progress" | "completed";

/** The state a check run should have on GitHub; the writer turns it into create/update calls. */
export interface DesiredCheck {
  readonly ref: CheckRef;
  readonly name: string;
  readonly headSha: string;
  readonly status: CheckStatus;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly conclusion?: Conclusion | "action_required";
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
  readonly annotations?: readonly CheckRunAnnotation[];
  readonly detailsUrl?: string;
  readonly actions?: readonly CheckRunAction[];
}

export function checkName(job: JobRecord): string {
  return `${SUMMARY_NAME} / ${job.spec.name}`;
}

export function foldsMatrix(jobs: readonly JobRecord[]): boolean {
  return jobs.filter((job) => job.spec.matrix).length > FOLD_ABOVE;
}

/** A number that grows with every re-run: names a fresh summary or matrix check run. */
export function roundOf(jobs: readonly JobRecord[]): number {
  return jobs.reduce((sum, job) => sum + job.attempt, 0) - jobs.length + 1;
}

function statusOf(job: JobRecord): CheckStatus {
  return job.state === "pending" ? "queued" : job.state;
}

function jobSummary(job: JobRecord, downloads: string | undefined): string {
  const result = job.result;
  const head = `**${cell(job.spec.name)}**: ${conclusionLabel(job.conclusion)}`;
  if (result === null) return head;
  const lines = [`${head} — ${cell(firstLine(result.summary, 1000))}`];
  if (result.steps.length > 0) {
    const rows = result.steps.map((step) => [
      cell(step.name),
      conclusionLabel(step.conclusion),
      `${(step.durationMs / 1000).toFixed(1)} s`,
    ]);
    lines.push(table(["Step", "Result", "Time"], rows));
  }
  const artifacts = artifactTable(result.artifacts ?? [], downloads);
  if (artifacts !== undefined) lines.push(artifacts);
  const facts = [
    result.image === undefined ? undefined : `image \`${result.image.id}\``,
    result.interpreter === undefined ? undefined : `Python ${cell(result.interpreter)}`,
    result.coverage === undefined ? undefined : `line coverage ${result.coverage.toFixed(1)} %`,
    job.attempt > 1 ? `attempt ${job.attempt}` : undefined,
    duration(result.startedAt, result.finishedAt) || undefined,
  ].filter((fact) => fact !== undefined);
  if (facts.length > 0) lines.push(facts.join(" · "));
  const top = capHead(lines.join("\n\n"), HEAD_LIMIT);
  const reports = jobReportMarkdown(job, OUTPUT_LIMIT - top.length - 2);
  return reports === undefined ? top : `${top}\n\n${reports}`;
}

/** `publicUrl`: `PYLOT_PUBLIC_URL`, for the download links of a build's artifacts. */
export function jobCheck(
  view: PipelineView,
  job: JobRecord,
  detailsUrl: string | undefined,
  publicUrl?: string,
): DesiredCheck {
  const base = {
    ref: { kind: "job", jobId: job.id, attempt: job.attempt } as const,
    name: checkName(job),
    headSha: view.pipeline.trigger.sha,
    status: statusOf(job),
    ...(detailsUrl === undefined ? {} : { detailsUrl }),
    ...(job.startedAt === null ? {} : { startedAt: job.startedAt }),
  };
  if (job.state !== "completed") {
    const title = job.state === "in_progress" ? "Running" : "Queued";
    return { ...base, title, summary: `**${cell(job.spec.name)}** is ${title.toLowerCase()}.` };
  }
  const conclusion = job.conclusion ?? "neutral";
  const logTail = job.result?.logTail ?? "";
  // Annotations ride on the completing write; the writer sends batches beyond 50 after it.
  const { annotations } = jobAnnotations(job.result);
  return {
    ...base,
    conclusion,
    ...(job.finishedAt === null ? {} : { completedAt: job.finishedAt }),
    title: firstLine(job.result?.summary) || conclusionLabel(conclusion),
    summary: jobSummary(job, downloadsOf(view, publicUrl)),
    ...(logTail === "" ? {} : { text: logBlock(logTail) }),
    ...(annotations.length === 0 ? {} : { annotations }),
  };
}

/** Where the commit's kept artifacts are downloaded; undefined without a public URL. */
function downloadsOf(view: PipelineView, publicUrl: string | undefined): string | undefined {
  const { repo, sha } = view.pipeline.trigger;
  if (publicUrl === undefined || repo === undefined) return undefined;
  return artifactUrl({ publicUrl, repo, sha });
}

function jobRows(jobs: readonly JobRecord[], links: ReadonlyMap<string, string>) {
  return jobs.map((job) => {
    const link = links.get(job.id);
    const name = cell(job.spec.name);
    return [
      link === undefined ? name : `[${name}](${link})`,
      conclusionLabel(job.state === "completed" ? job.conclusion : null),
      cell(firstLine(job.result?.summary, 120)),
      duration(job.startedAt, job.finishedAt),
    ];
  });
}

function completedTitle(view: PipelineView): string {
  const { jobs, pipeline } = view;
  const failed = jobs.filter((j) => j.conclusion === "failure" || j.conclusion === "timed_out");
  const skipped = jobs.filter((j) => j.conclusion === "skipped").length;
  if (pipeline.conclusion === "cancelled")
    return pipeline.cancelReason === null ? "Cancelled" : `Cancelled: ${pipeline.cancelReason}`;
  if (failed.length > 0) return `${failed.length} of ${jobs.length} jobs failed`;
  const passed = `${jobs.length - skipped} of ${jobs.length} jobs passed`;
  return skipped > 0 ? `${passed}, ${skipped} skipped` : passed;
}

/** The `Pylot` check: the one stable name that branch protection can require. */
export function summaryCheck(
  view: PipelineView,
  options: { round: number; links: ReadonlyMap<string, string>; detailsUrl?: string },
): DesiredCheck {
  const { pipeline, jobs } = view;
  const done = pipeline.status === "completed";
  const rows = jobRows(jobs, options.links);
  const summary = capHead(
    `Commit \`${pipeline.trigger.sha.slice(0, 7)}\` · ${jobs.length} jobs\n\n` +
      table(["Job", "Result", "Summary", "Time"], rows),
  );
  const base = {
    ref: { kind: "summary", pipelineId: pipeline.id, round: options.round } as const,
    name: SUMMARY_NAME,
    headSha: pipeline.trigger.sha,
    startedAt: pipeline.createdAt,
    summary,
    ...(options.detailsUrl === undefined ? {} : { detailsUrl: options.detailsUrl }),
  };
  if (!done) return { ...base, status: "in_progress", title: `Running ${jobs.length} jobs` };
  const conclusion = pipeline.conclusion ?? "neutral";
  const rerun: CheckRunAction = {
    label: "Re-run failed jobs",
    description: "Run the failed jobs of this commit again",
    identifier: RERUN_FAILED,
  };
  const failing = conclusion === "failure";
  return {
    ...base,
    status: "completed",
    conclusion,
    completedAt: pipeline.updatedAt,
    title: completedTitle(view),
    ...(failing ? { actions: [rerun] } : {}),
  };
}

/** More than FOLD_ABOVE legs: one check run with a table instead of one per leg. */
export function matrixCheck(
  view: PipelineView,
  options: { round: number; detailsUrl?: string },
): DesiredCheck {
  const legs = view.jobs.filter((job) => job.spec.matrix);
  const done = legs.every((leg) => leg.state === "completed");
  const started = legs.some((leg) => leg.state === "in_progress" || leg.state === "completed");
  const startedAt = legs
    .map((leg) => leg.startedAt)
    .filter((at): at is string => at !== null)
    .sort()[0];
  const counts = new Map<string, number>();
  for (const leg of legs) {
    const label = leg.state === "completed" ? (leg.conclusion ?? "neutral") : "pending";
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const title = `${legs.length} legs: ${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")}`;
  const base = {
    ref: { kind: "matrix", pipelineId: view.pipeline.id, round: options.round } as const,
    name: MATRIX_NAME,
    headSha: view.pipeline.trigger.sha,
    title,
    summary: capHead(table(["Leg", "Result", "Summary", "Time"], jobRows(legs, new Map()))),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(options.detailsUrl === undefined ? {} : { detailsUrl: options.detailsUrl }),
  };
  if (!done) return { ...base, status: started ? "in_progress" : "queued" };
  const finished = legs.map((leg) => leg.finishedAt ?? "").sort();
  const completedAt = finished[finished.length - 1];
  return {
    ...base,
    status: "completed",
    conclusion: aggregateConclusion(legs.map((leg) => leg.conclusion)),
    ...(completedAt === undefined || completedAt === "" ? {} : { completedAt }),
  };
}
