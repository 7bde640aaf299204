import type { Logger } from "pino";
import type { JobRecord, PipelineRecord, PipelineView, Reporter, Store } from "../engine/ports.js";
import { CheckRunStates, EXTERNAL_KEYS, type PipelineChecks } from "./check-run-states.js";
import { foldsMatrix, jobCheck, matrixCheck, roundOf, summaryCheck } from "./desired-checks.js";
import { parseExternalId, type CheckRef } from "./external-id.js";
import type { ChecksPort } from "./ports.js";

export { EXTERNAL_KEYS };

export interface CheckRunReportersOptions {
  /** The installation's checks API (`(await app.auth(id)).rest.checks`). */
  readonly checksFor: (installationId: number) => Promise<ChecksPort>;
  readonly store: Pick<Store, "setJobExternal">;
  /** `PYLOT_PUBLIC_URL`: where `details_url` points. */
  readonly publicUrl?: string | undefined;
  readonly logger: Logger;
  /** Pipelines whose bookkeeping stays in memory; older ones are found again on GitHub. */
  readonly retain?: number;
}

export interface CheckRunReporters {
  reporterFor(pipeline: PipelineRecord): Reporter;
  /** Resolves once every submitted check run write is done (tests, shutdown). */
  idle(): Promise<void>;
}

const silent: Reporter = {
  pipelineCreated: () => Promise.resolve(),
  jobChanged: () => Promise.resolve(),
  pipelineCompleted: () => Promise.resolve(),
};

/**
 * Shows pipelines as check runs: `Pylot / <job>` per job (or one `Pylot / test matrix` for
 * large matrices) and a `Pylot` summary. Writes run in the background, in order per pipeline,
 * so the engine (and the webhook reply) never waits on GitHub.
 */
export function createCheckRunReporters(options: CheckRunReportersOptions): CheckRunReporters {
  const log = options.logger.child({ name: "check-runs" });
  const states = new CheckRunStates({
    checksFor: options.checksFor,
    store: options.store,
    logger: log,
    retain: options.retain ?? 1000,
  });
  const url = detailsUrls(options.publicUrl);
  return {
    reporterFor(pipeline) {
      const { installationId, repo } = pipeline.trigger;
      if (installationId === undefined || repo === undefined) return silent;
      const at = { installationId, repo };
      const known = async (view: PipelineView) => {
        const { state, found } = states.get(view.pipeline, at);
        if (!found) await discover(state, view, states, { ...at, log });
        return state;
      };
      return {
        pipelineCreated(view) {
          created(states.get(view.pipeline, at).state, view, url);
          return Promise.resolve();
        },
        async jobChanged(view, job) {
          changed(await known(view), view, job, url);
        },
        async pipelineCompleted(view) {
          submitAggregate(await known(view), "summary", view, url);
        },
      };
    },
    idle: () => states.idle(),
  };
}

/** `PYLOT_PUBLIC_URL/pipelines/<id>[/jobs/<key>]`, or nothing without a public URL. */
function detailsUrls(publicUrl: string | undefined): UrlFor {
  const base = publicUrl?.replace(/\/+$/, "");
  return (pipelineId, key) => {
    if (base === undefined) return undefined;
    const job = key === undefined ? "" : `/jobs/${encodeURIComponent(key)}`;
    return `${base}/pipelines/${encodeURIComponent(pipelineId)}${job}`;
  };
}

type UrlFor = (pipelineId: string, key?: string) => string | undefined;

function folded(view: PipelineView, job: JobRecord): boolean {
  return job.spec.matrix && foldsMatrix(view.jobs);
}

function created(state: PipelineChecks, view: PipelineView, url: UrlFor): void {
  for (const job of view.jobs)
    if (!folded(view, job))
      state.writer.submit(jobCheck(view, job, url(job.pipelineId, job.spec.key)));
  if (foldsMatrix(view.jobs)) submitAggregate(state, "matrix", view, url);
  submitAggregate(state, "summary", view, url);
}

function changed(state: PipelineChecks, view: PipelineView, job: JobRecord, url: UrlFor): void {
  if (folded(view, job)) {
    submitAggregate(state, "matrix", view, url);
  } else {
    const checkRunId = Number(job.external[EXTERNAL_KEYS.id]);
    const ref: CheckRef = { kind: "job", jobId: job.id, attempt: job.attempt };
    if (job.external[EXTERNAL_KEYS.attempt] === String(job.attempt) && checkRunId > 0)
      state.writer.remember(ref, checkRunId);
    state.writer.submit(jobCheck(view, job, url(job.pipelineId, job.spec.key)));
  }
  // A re-run reopens a completed pipeline: its summary becomes a fresh check run.
  if (view.pipeline.status === "running" && state.summary?.status === "completed")
    submitAggregate(state, "summary", view, url);
}

/**
 * The summary and the folded matrix change on every job, but are written only when their
 * status changes (and when they complete), to stay within GitHub's write budget.
 */
function submitAggregate(
  state: PipelineChecks,
  kind: "summary" | "matrix",
  view: PipelineView,
  url: UrlFor,
): void {
  const current = state[kind] ?? { round: roundOf(view.jobs), status: undefined };
  const detailsUrl = url(view.pipeline.id);
  const extra = detailsUrl === undefined ? {} : { detailsUrl };
  const make = (round: number) =>
    kind === "summary"
      ? summaryCheck(view, { round, links: state.links, ...extra })
      : matrixCheck(view, { round, ...extra });
  let desired = make(current.round);
  if (current.status === "completed" && desired.status !== "completed") {
    current.round = Math.max(roundOf(view.jobs), current.round + 1);
    desired = make(current.round);
  } else if (current.status === desired.status && desired.status !== "completed") {
    return;
  }
  current.status = desired.status;
  state[kind] = current;
  state.writer.submit(desired);
}

/**
 * After a restart (or when bookkeeping was dropped from memory) the check runs of a pipeline
 * are found again by their external ids: one request.
 */
async function discover(
  state: PipelineChecks,
  view: PipelineView,
  states: Pick<CheckRunStates, "checksFor">,
  context: { installationId: number; repo: string; log: Logger },
): Promise<void> {
  const [owner = "", repo = ""] = context.repo.split("/");
  try {
    const checks = await states.checksFor(context.installationId);
    const { data } = await checks.listForRef({
      owner,
      repo,
      ref: view.pipeline.trigger.sha,
      filter: "all",
      per_page: 100,
    });
    for (const run of data.check_runs) {
      const ref = parseExternalId(run.external_id);
      if (ref === undefined) continue;
      if (ref.kind === "job" && ref.jobId.startsWith(`${view.pipeline.id}:`)) {
        state.writer.remember(ref, run.id);
        if (run.html_url !== null) state.links.set(ref.jobId, run.html_url);
      }
      if (
        (ref.kind === "summary" || ref.kind === "matrix") &&
        ref.pipelineId === view.pipeline.id
      ) {
        const known = state[ref.kind];
        if (known !== undefined && known.round >= ref.round) continue;
        state.writer.remember(ref, run.id);
        const status = run.status === "completed" ? "completed" : "in_progress";
        state[ref.kind] = { round: ref.round, status };
      }
    }
  } catch (error) {
    context.log.warn({ err: error, pipeline: view.pipeline.id }, "could not find check runs");
  }
}
