import { dirname } from "node:path";
import type { JobRecord, PipelineView } from "../engine/ports.js";
import type { Artifact, Conclusion, Leg } from "../pipeline/types.js";

/** Shared by the terminal reporter and the after-run summary. Pure. */

export type Tone = "success" | "failure" | "warning" | "muted" | "active";

const SGR: Readonly<Record<Tone, string>> = {
  success: "\u001b[32m",
  failure: "\u001b[31m",
  warning: "\u001b[33m",
  muted: "\u001b[90m",
  active: "\u001b[36m",
};
const RESET = "\u001b[0m";
const LOG_TAIL_LINES = 20;

export function paint(text: string, tone: Tone, color: boolean): string {
  return color ? `${SGR[tone]}${text}${RESET}` : text;
}

/** Clock style: 0:03, 12:05, 1:02:03. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** A job's time: seconds under a minute (3.1s), a clock above (2:05). */
export function formatDuration(ms: number): string {
  return ms < 60_000 ? formatSeconds(ms) : formatClock(ms);
}

/** Seconds with one decimal: 3.1s. */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

export interface JobBadge {
  readonly symbol: string;
  readonly label: string;
  readonly tone: Tone;
}

/** How a job's state reads at a glance. Running jobs get a spinner frame from the caller. */
export function jobBadge(job: JobRecord): JobBadge {
  switch (job.state) {
    case "pending":
      return { symbol: "·", label: "waiting", tone: "muted" };
    case "queued":
      return { symbol: "·", label: "queued", tone: "muted" };
    case "in_progress":
      return { symbol: "⠋", label: "running", tone: "active" };
    case "completed":
      return conclusionBadge(job.conclusion);
  }
}

/** How a job or pipeline conclusion reads; null while undecided. */
export function conclusionBadge(conclusion: Conclusion | null): JobBadge {
  switch (conclusion) {
    case "success":
      return { symbol: "✓", label: "success", tone: "success" };
    case "failure":
      return { symbol: "✗", label: "failure", tone: "failure" };
    case "cancelled":
      return { symbol: "⊘", label: "cancelled", tone: "muted" };
    case "timed_out":
      return { symbol: "⏱", label: "timed out", tone: "failure" };
    case "skipped":
      return { symbol: "○", label: "skipped", tone: "muted" };
    case "neutral":
      return { symbol: "–", label: "neutral", tone: "muted" };
    case null:
      return { symbol: "?", label: "completed", tone: "muted" };
  }
}

function parseTime(iso: string | null | undefined): number | undefined {
  if (iso === null || iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * How long a job ran: the engine's timestamps first, the runner's as fallback. A job still
 * running counts up to `nowMs` when given; one that never started has no duration.
 */
export function jobDurationMs(job: JobRecord, nowMs?: number): number | null {
  const started = parseTime(job.startedAt) ?? parseTime(job.result?.startedAt);
  if (started === undefined) return null;
  const finished =
    parseTime(job.finishedAt) ??
    parseTime(job.result?.finishedAt) ??
    (job.state === "in_progress" ? nowMs : undefined);
  return finished === undefined ? null : Math.max(0, finished - started);
}

/** From creation to the last thing that happened (the last update or job finish). */
export function pipelineDurationMs(view: PipelineView): number {
  const created = parseTime(view.pipeline.createdAt);
  if (created === undefined) return 0;
  const ends = [view.pipeline.updatedAt, ...view.jobs.map((job) => job.finishedAt)]
    .map(parseTime)
    .filter((ms): ms is number => ms !== undefined);
  return Math.max(0, ...ends.map((end) => end - created));
}

/** The folders holding a job's report files, each once, sorted. */
export function reportFolders(job: JobRecord): string[] {
  const paths = Object.values(job.result?.reports ?? {});
  return [...new Set(paths.map((path) => dirname(path)))].sort();
}

function jobTable(view: PipelineView, color: boolean): string[] {
  const width = Math.max(0, ...view.jobs.map((job) => job.spec.name.length));
  return view.jobs.map((job) => {
    const badge = jobBadge(job);
    const duration = jobDurationMs(job);
    const label = duration === null ? badge.label : `${badge.label.padEnd(9)}  `;
    const time = duration === null ? "" : formatDuration(duration);
    const line = `  ${paint(badge.symbol, badge.tone, color)} ${job.spec.name.padEnd(width)}  ${paint(label, badge.tone, color)}${time}`;
    return line.trimEnd();
  });
}

function failureDetails(job: JobRecord, color: boolean): string[] {
  const badge = jobBadge(job);
  const summary = job.result?.summary ?? "";
  const header = `${paint(badge.symbol, badge.tone, color)} ${job.spec.name} — ${badge.label}`;
  const lines = [summary === "" ? header : `${header}: ${summary}`];
  const tail = (job.result?.logTail ?? "").replace(/\s+$/, "");
  if (tail !== "") {
    lines.push(
      ...tail
        .split(/\r?\n/)
        .slice(-LOG_TAIL_LINES)
        .map((line) => `    ${line}`),
    );
  }
  return lines;
}

function isFailed(job: JobRecord): boolean {
  return job.conclusion === "failure" || job.conclusion === "timed_out";
}

export interface RenderSummaryOptions {
  readonly color: boolean;
}

/** The text `pylot run` prints after the run, without a final newline. */
export function renderSummary(view: PipelineView, options: RenderSummaryOptions): string {
  const { color } = options;
  const { conclusion } = view.pipeline;
  const badge: JobBadge =
    conclusion === null
      ? { symbol: "⠋", label: "running", tone: "active" }
      : conclusionBadge(conclusion);
  const sections: string[][] = [
    ["Jobs:", ...jobTable(view, color)],
    ...view.jobs.filter(isFailed).map((job) => failureDetails(job, color)),
  ];
  const measured = view.jobs.find(
    (job) => !job.spec.evaluate && job.result?.coverage !== undefined,
  );
  if (measured?.result?.coverage !== undefined)
    sections.push([`Coverage: ${measured.result.coverage.toFixed(1)}% on ${measured.spec.name}`]);
  // A gate job shows its leg's reports; list each folder once, under the job that wrote it.
  const reports = view.jobs
    .filter((job) => job.spec.evaluate === undefined)
    .flatMap((job) =>
      reportFolders(job)
        .slice(0, 1)
        .map((folder) => `  ${job.spec.name}: ${folder}`),
    );
  if (reports.length > 0) sections.push(["Reports:", ...reports]);
  const artifacts = view.jobs.flatMap((job) =>
    (job.result?.artifacts ?? []).map(
      (a) => `  ${a.name}  ${a.size.toLocaleString("en-US")} B  sha256:${a.sha256}`,
    ),
  );
  if (artifacts.length > 0) sections.push(["Artifacts:", ...artifacts]);
  const duration = formatClock(pipelineDurationMs(view));
  sections.push([`Pipeline ${paint(badge.label, badge.tone, color)} in ${duration}`]);
  return sections.map((lines) => lines.join("\n")).join("\n\n");
}

interface JsonJob {
  readonly name: string;
  readonly kind: string;
  readonly leg: Leg;
  readonly conclusion: string | null;
  readonly durationMs: number | null;
  readonly summary: string | null;
  readonly coverage?: number;
  readonly reports: Readonly<Record<string, string>>;
  readonly artifacts?: readonly Artifact[];
}

function jsonJob(job: JobRecord): JsonJob {
  const reports = Object.fromEntries(
    Object.entries(job.result?.reports ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    name: job.spec.name,
    kind: job.spec.kind,
    leg: job.spec.leg,
    conclusion: job.conclusion,
    durationMs: jobDurationMs(job),
    summary: job.result?.summary ?? null,
    ...(job.result?.coverage === undefined ? {} : { coverage: job.result.coverage }),
    reports,
    ...(job.result?.artifacts === undefined ? {} : { artifacts: job.result.artifacts }),
  };
}

/** The `--json` output, without a final newline: a stable shape; add fields, never rename. */
export function renderJson(view: PipelineView): string {
  const body = {
    conclusion: view.pipeline.conclusion,
    durationMs: pipelineDurationMs(view),
    jobs: view.jobs.map(jsonJob),
  };
  return JSON.stringify(body, null, 2);
}
