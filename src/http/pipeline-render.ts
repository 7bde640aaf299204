import type { JobRecord, PipelineView } from "../engine/ports.js";
import { formatSize } from "../runner/artifacts.js";
import type { PipelineLink } from "./pipeline-url.js";

/**
 * HTML of the pipeline pages. Everything shown comes from repositories and jobs, so every
 * value goes through `escape`; the page has no script and its CSP allows none.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:72rem;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:1rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
.success{color:#1a7f37}.failure,.timed_out{color:#cf222e}.cancelled,.skipped,.neutral{color:#656d76}
code{font-size:90%}`;

/** Security headers of every page: nothing runs, nothing is framed, nothing is cached. */
export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

function page(title: string, body: string, refresh: boolean): string {
  const meta = refresh ? `<meta http-equiv="refresh" content="10">` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${meta}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function outcome(state: string, conclusion: string | null): string {
  const word = conclusion ?? state;
  return `<span class="${escapeHtml(word)}">${escapeHtml(word.replace("_", " "))}</span>`;
}

function duration(from: string | null, to: string | null): string {
  if (from === null || to === null) return "";
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(1)} s` : "";
}

function heading(view: PipelineView): string {
  const { trigger, status, conclusion, cancelReason, createdAt } = view.pipeline;
  const facts = [
    ["Repository", trigger.repo ?? "local"],
    ["Commit", trigger.sha],
    ["Ref", trigger.ref],
    ["Event", trigger.event],
    ["Started", createdAt],
  ];
  const rows = facts
    .map(
      ([name = "", value = ""]) =>
        `<tr><th>${name}</th><td><code>${escapeHtml(value)}</code></td></tr>`,
    )
    .join("");
  const reason = cancelReason === null ? "" : `<p>${escapeHtml(cancelReason)}</p>`;
  return `<p>Pipeline: ${outcome(status, conclusion)}</p>${reason}<table>${rows}</table>`;
}

/** `/pipelines/:id`: the pipeline and its jobs, each linking to its own page. */
export function renderPipelinePage(view: PipelineView, link: PipelineLink): string {
  const { pipeline } = view;
  const repo = pipeline.trigger.repo ?? "";
  const rows = view.jobs
    .map((job) => {
      const href = link(repo, pipeline.id, job.spec.key);
      const name = escapeHtml(job.spec.name);
      const cell = href === undefined ? name : `<a href="${escapeHtml(href)}">${name}</a>`;
      const summary = escapeHtml(job.result?.summary ?? "");
      return `<tr><td>${cell}</td><td>${outcome(job.state, job.conclusion)}</td><td>${duration(job.startedAt, job.finishedAt)}</td><td>${summary}</td></tr>`;
    })
    .join("");
  const title = `Pylot · ${repo} ${pipeline.trigger.sha.slice(0, 7)}`;
  const body = `<h1>${escapeHtml(title)}</h1>${heading(view)}<h2>Jobs</h2><table><tr><th>Job</th><th>Result</th><th>Time</th><th>Summary</th></tr>${rows}</table>`;
  return page(title, body, pipeline.status !== "completed");
}

function stepsTable(job: JobRecord): string {
  const steps = job.result?.steps ?? [];
  if (steps.length === 0) return "";
  const rows = steps
    .map(
      (step) =>
        `<tr><td>${escapeHtml(step.name)}</td><td>${outcome("", step.conclusion)}</td><td>${step.exitCode ?? ""}</td><td>${(step.durationMs / 1000).toFixed(1)} s</td></tr>`,
    )
    .join("");
  return `<h2>Steps</h2><table><tr><th>Step</th><th>Result</th><th>Exit</th><th>Time</th></tr>${rows}</table>`;
}

function artifactsTable(job: JobRecord): string {
  const artifacts = job.result?.artifacts ?? [];
  if (artifacts.length === 0) return "";
  const rows = artifacts
    .map(
      (a) =>
        `<tr><td><code>${escapeHtml(a.name)}</code></td><td>${formatSize(a.size)}</td><td><code>${escapeHtml(a.sha256)}</code></td></tr>`,
    )
    .join("");
  return `<h2>Artifacts</h2><table><tr><th>File</th><th>Size</th><th>SHA-256</th></tr>${rows}</table>`;
}

/** `/pipelines/:id/jobs/:key`: one job, its steps, artifacts and the tail of its log. */
export function renderJobPage(view: PipelineView, job: JobRecord, link: PipelineLink): string {
  const { pipeline } = view;
  const repo = pipeline.trigger.repo ?? "";
  const back = link(repo, pipeline.id);
  const up = back === undefined ? "" : `<p><a href="${escapeHtml(back)}">← all jobs</a></p>`;
  const result = job.result;
  const facts = [
    result?.summary === undefined ? "" : `<p>${escapeHtml(result.summary)}</p>`,
    result?.interpreter === undefined ? "" : `<p>Python ${escapeHtml(result.interpreter)}</p>`,
    result?.coverage === undefined ? "" : `<p>Coverage ${result.coverage.toFixed(2)}%</p>`,
  ].join("");
  const log =
    result === null || result.logTail === ""
      ? "<p>No log yet.</p>"
      : `<h2>Log (tail)</h2><pre>${escapeHtml(result.logTail)}</pre>`;
  const title = `Pylot · ${job.spec.name} · ${repo} ${pipeline.trigger.sha.slice(0, 7)}`;
  const body = `<h1>${escapeHtml(title)}</h1>${up}<p>Attempt ${job.attempt}: ${outcome(job.state, job.conclusion)} ${duration(job.startedAt, job.finishedAt)}</p>${facts}${stepsTable(job)}${artifactsTable(job)}${log}`;
  return page(title, body, job.state !== "completed");
}
