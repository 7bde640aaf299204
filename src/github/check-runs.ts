import type { Logger } from "pino";
import type { JobRecord, PipelineRecord, PipelineView, Reporter, Store } from "../engine/ports.js";
import type { Refreshed } from "./check-run-writer.js";
import type { DesiredCheck } from "./desired-checks.js";
import { CheckRunStates, EXTERNAL_KEYS, type PipelineChecks } from "./check-run-states.js";
import { foldsMatrix, jobCheck, matrixCheck, roundOf, summaryCheck } from "./desired-checks.js";
import { parseExternalId, type CheckRef } from "./external-id.js";
import type { ChecksPort } from "./ports.js";
import type { PrComments } from "./pr-comment.js";
import { pipelineLinks } from "../http/pipeline-url.js";

export { EXTERNAL_KEYS };

export interface CheckRunReportersOptions {
  /** The installation's checks API (`(await app.auth(id)).rest.checks`). */
  readonly checksFor: (installationId: number) => Promise<ChecksPort>;
  readonly store: Pick<Store, "setJobExternal">;
  /** `PYLOT_PUBLIC_URL`: where `details_url` points (Pylot's pipeline pages). */
  readonly publicUrl?: string | undefined;
  /** `PYLOT_BADGE_SECRET`: `details_url` of private repositories carries their `logs` token. */
  readonly secret?: string | undefined;
  readonly logger: Logger;
  /** Pipelines whose bookkeeping stays in memory; older ones are found again on GitHub. */
  readonly retain?: number;
  /**
   * Where the newest state is read at write time. Needed when several replicas share a
   * pipeline (a queue): without it, states are written as they were when they were queued.
   */
  readonly fresh?: Pick<Store, "getPipeline" | "listJobs">;
  /** Several replicas share pipelines (a queue): see CheckRunStatesOptions.plannerGraceMs. */
  readonly plannerGraceMs?: number;
  /** The sticky pull request comment, written when a pipeline completes. */
  readonly comments?: Pick<PrComments, "pipelineCompleted" | "idle">;
}

export interface CheckRunReporters {
  reporterFor(pipeline: PipelineRecord): Reporter;
  /**
   * Writes the pull request comment of a pipeline that completed before its PR was opened
   * (a push built the commit first); nothing for a pipeline still running.
   */
  commentOn(view: PipelineView): void;
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
    plannerGraceMs: options.plannerGraceMs ?? 0,
    ...(options.fresh === undefined
      ? {}
      : { refresh: refresher(options.fresh, options.publicUrl) }),
  });
  const link = pipelineLinks({ publicUrl: options.publicUrl, secret: options.secret });
  return {
    reporterFor(pipeline) {
      const { installationId, repo } = pipeline.trigger;
      if (installationId === undefined || repo === undefined) return silent;
      const at = { installationId, repo };
      const url: Links = Object.assign(
        (pipelineId: string, key?: string) => link(repo, pipelineId, key),
        { publicUrl: options.publicUrl },
      );
      const known = async (view: PipelineView) => {
        const { state, found } = states.get(view.pipeline, at);
        if (!found) await discover(state, view, states, { ...at, log });
        return state;
      };
      return {
        pipelineCreated(view) {
          const { state } = states.get(view.pipeline, at);
          state.planner = true;
          created(state, view, url);
          return Promise.resolve();
        },
        async jobChanged(view, job) {
          changed(await known(view), view, job, url);
        },
        async pipelineCompleted(view) {
          const state = await known(view);
          // A replica that took over another's pipeline settles every check run it shows:
          // writes still queued in a replica that died are otherwise lost.
          if (!state.planner) for (const job of view.jobs) changed(state, view, job, url);
          submitAggregate(state, "summary", view, url);
          const summary = state.summaryUrl;
          options.comments?.pipelineCompleted(view, {
            jobs: state.links,
            ...(summary === undefined ? {} : { summary }),
          });
        },
      };
    },
    commentOn(view) {
      const { installationId, repo } = view.pipeline.trigger;
      if (view.pipeline.status !== "completed" || installationId === undefined) return;
      if (repo === undefined) return;
      const { state } = states.get(view.pipeline, { installationId, repo });
      const summary = state.summaryUrl;
      options.comments?.pipelineCompleted(view, {
        jobs: state.links,
        ...(summary === undefined ? {} : { summary }),
      });
    },
    idle: async () => {
      await states.idle();
      await options.comments?.idle();
    },
  };
}

/** Rebuilds a job's or aggregate's desired check from the pipeline as stored now. */
function refresher(store: Pick<Store, "getPipeline" | "listJobs">, publicUrl?: string) {
  return async (
    pipeline: PipelineRecord,
    state: PipelineChecks,
    desired: DesiredCheck,
  ): Promise<Refreshed | undefined> => {
    const { ref } = desired;
    if (ref.kind !== "job" && ref.kind !== "summary" && ref.kind !== "matrix") return undefined;
    const stored = await store.getPipeline(pipeline.id);
    if (stored === undefined) return undefined;
    const view: PipelineView = { pipeline: stored, jobs: await store.listJobs(pipeline.id) };
    const detailsUrl = desired.detailsUrl === undefined ? {} : { detailsUrl: desired.detailsUrl };
    if (ref.kind === "summary" || ref.kind === "matrix") {
      const fresh =
        ref.kind === "summary"
          ? summaryCheck(view, { round: ref.round, links: state.links, ...detailsUrl })
          : matrixCheck(view, { round: ref.round, ...detailsUrl });
      // A completed round stays completed: a re-run gets a new round, never reopens this one.
      if (desired.status === "completed" && fresh.status !== "completed") return undefined;
      return { desired: fresh, id: undefined };
    }
    const job = view.jobs.find((j) => j.id === ref.jobId);
    if (job?.attempt !== ref.attempt) return undefined;
    const id = Number(job.external[EXTERNAL_KEYS.id]);
    const known = job.external[EXTERNAL_KEYS.attempt] === String(job.attempt) && id > 0;
    const fresh = jobCheck(view, job, desired.detailsUrl, publicUrl);
    return { desired: fresh, id: known ? id : undefined };
  };
}

/** A check run's `details_url`: Pylot's page of the pipeline or of one job. */
type UrlFor = (pipelineId: string, key?: string) => string | undefined;
/** Details links, and `PYLOT_PUBLIC_URL` for a build's artifact downloads. */
type Links = UrlFor & { readonly publicUrl?: string | undefined };

function folded(view: PipelineView, job: JobRecord): boolean {
  return job.spec.matrix && foldsMatrix(view.jobs);
}

function jobCheckOf(view: PipelineView, job: JobRecord, url: Links): DesiredCheck {
  return jobCheck(view, job, url(job.pipelineId, job.spec.key), url.publicUrl);
}

function created(state: PipelineChecks, view: PipelineView, url: Links): void {
  for (const job of view.jobs)
    if (!folded(view, job)) state.writer.submit(jobCheckOf(view, job, url));
  if (foldsMatrix(view.jobs)) submitAggregate(state, "matrix", view, url);
  submitAggregate(state, "summary", view, url);
}

function changed(state: PipelineChecks, view: PipelineView, job: JobRecord, url: Links): void {
  if (folded(view, job)) {
    submitAggregate(state, "matrix", view, url);
  } else {
    const checkRunId = Number(job.external[EXTERNAL_KEYS.id]);
    const ref: CheckRef = { kind: "job", jobId: job.id, attempt: job.attempt };
    if (job.external[EXTERNAL_KEYS.attempt] === String(job.attempt) && checkRunId > 0)
      state.writer.remember(ref, checkRunId);
    state.writer.submit(jobCheckOf(view, job, url));
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
    const stale: number[] = [];
    for (const run of data.check_runs) {
      const ref = parseExternalId(run.external_id);
      if (ref === undefined) continue;
      if (ref.kind === "job" && run.status !== "completed" && supersededAttempt(view, ref))
        stale.push(run.id);
      if (ref.kind === "job" && ref.jobId.startsWith(`${view.pipeline.id}:`)) {
        state.writer.remember(ref, run.id);
        if (run.html_url !== null) state.links.set(ref.jobId, run.html_url);
      }
      if (ref.kind === "summary" && ref.pipelineId === view.pipeline.id && run.html_url !== null)
        state.summaryUrl = run.html_url;
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
    for (const id of stale) await checks.update({ owner, repo, check_run_id: id, ...SUPERSEDED });
  } catch (error) {
    context.log.warn({ err: error, pipeline: view.pipeline.id }, "could not find check runs");
  }
}

/**
 * A job's attempt that was running when the bot died is retried as a new attempt with a check
 * run of its own; the old one would otherwise stay in progress forever.
 */
const SUPERSEDED = {
  status: "completed",
  conclusion: "cancelled",
  output: {
    title: "Interrupted: Pylot restarted",
    summary: "Pylot stopped while this job ran; it was retried as a new attempt.",
  },
} as const;

function supersededAttempt(view: PipelineView, ref: { jobId: string; attempt: number }): boolean {
  const job = view.jobs.find((candidate) => candidate.id === ref.jobId);
  return job !== undefined && job.attempt > ref.attempt;
}
