import type { Logger } from "pino";
import type { JobRecord, PipelineRecord, Store } from "../../engine/ports.js";
import { failureResult } from "./messages.js";
import { bullJobId, runQueueName } from "./names.js";
import { postMessage, type ResultsQueue } from "./results.js";
import type { RunQueues } from "./run-queues.js";

/** The store reads the reconciliation needs: it never writes (results go through the engine). */
export type LostJobsStore = Pick<Store, "listRunningPipelines" | "listJobs">;

export interface LostJobsOptions {
  readonly store: LostJobsStore;
  readonly queues: RunQueues;
  readonly results: ResultsQueue;
  /** How long a job must stay missing from Redis before it is reported lost. */
  readonly graceMs: number;
  readonly logger: Logger;
  /** Milliseconds since the epoch; tests may pass their own. */
  readonly now?: () => number;
}

/**
 * Long enough for an enqueue in flight (the store says `queued` before the job's inputs are sent
 * and its BullMQ job added) to land, short enough that a lost pipeline ends within minutes.
 */
export const DEFAULT_LOST_JOB_GRACE_MS = 2 * 60_000;

/** Work per pass: whole pipelines are checked until this many Redis lookups were made. */
const LOOKUPS_PER_PASS = 200;
const PIPELINES_PER_PASS = 50;

type OpenState = Extract<JobRecord["state"], "queued" | "in_progress">;

/** The summary of a job Redis no longer knows: what happened, and what to do. */
export function lostSummary(state: OpenState): string {
  const when = state === "queued" ? "before a runner took it" : "while it ran";
  return (
    `lost by the queue ${when}: Redis lost its data (or never received the job), ` +
    "so no runner will report it; re-run the job"
  );
}

interface Missing {
  readonly pipelineId: string;
  /** When a pass first found the job absent from Redis. */
  readonly since: number;
}

/**
 * Compares the store with Redis: a job the store says is `queued` or `in_progress`, whose BullMQ
 * job (`${jobId}#${attempt}` in the queue of its labels, where `enqueue` put it) stayed absent
 * for `graceMs`, can no longer produce a result: Redis lost its data (restarted without AOF/RDB,
 * flushed) or the enqueue never reached it. Such a job is finished as a failure saying so.
 *
 * Why a failure and not a re-enqueue: this replica cannot rebuild what the job was sent with
 * (secrets live only in the memory of the engine that started it, its inputs were blobs in the
 * Redis that lost them), and the store cannot tell whether a lost job already ran, partly or
 * whole: its `started` message may have been lost too, and a deploy must not run twice unasked.
 * A failure that says "re-run the job" is one click (Re-run, `/retest`) with a new attempt.
 *
 * Several replicas may reconcile at once: the failure is posted as the job's `finished` message,
 * whose id (`${bullId}.finished`) collapses the replicas' copies and a late real result into one,
 * and the engine applies a result once per job and attempt. Absence is observed over time, in
 * this replica's memory, because the store does not record when a job was queued.
 */
export class LostJobs {
  readonly #options: LostJobsOptions;
  readonly #now: () => number;
  readonly #missing = new Map<string, Missing>();
  #cursor = 0;
  #lastPass = Number.NEGATIVE_INFINITY;

  constructor(options: LostJobsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** One bounded pass; at most one per quarter of the grace period, whatever the sweep rate. */
  async reconcile(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastPass < this.#options.graceMs / 4) return;
    this.#lastPass = now;
    const running = await this.#options.store.listRunningPipelines();
    const ids = new Set(running.map((pipeline) => pipeline.id));
    for (const [bullId, missing] of this.#missing)
      if (!ids.has(missing.pipelineId)) this.#missing.delete(bullId);
    const start = running.length === 0 ? 0 : this.#cursor % running.length;
    const order = [...running.slice(start), ...running.slice(0, start)];
    let lookups = 0;
    let checked = 0;
    for (const pipeline of order.slice(0, PIPELINES_PER_PASS)) {
      if (lookups >= LOOKUPS_PER_PASS) break;
      lookups += await this.#check(pipeline, now);
      checked += 1;
    }
    this.#cursor = start + checked;
  }

  /** Checks the open jobs of one pipeline; returns how many Redis lookups it made. */
  async #check(pipeline: PipelineRecord, now: number): Promise<number> {
    const open = (await this.#options.store.listJobs(pipeline.id)).filter(isOpen);
    const current = new Set(open.map((job) => bullJobId(job.id, job.attempt)));
    for (const [bullId, missing] of this.#missing)
      if (missing.pipelineId === pipeline.id && !current.has(bullId)) this.#missing.delete(bullId);
    for (const job of open) {
      const bullId = bullJobId(job.id, job.attempt);
      if (await this.#inRedis(job, bullId)) {
        this.#missing.delete(bullId);
        continue;
      }
      const since = this.#missing.get(bullId)?.since;
      if (since === undefined) this.#missing.set(bullId, { pipelineId: pipeline.id, since: now });
      else if (now - since >= this.#options.graceMs) {
        await this.#fail(job, bullId);
        this.#missing.delete(bullId);
      }
    }
    return open.length;
  }

  async #inRedis(job: JobRecord, bullId: string): Promise<boolean> {
    let name: string;
    try {
      name = runQueueName({ python: job.spec.leg.python, os: job.spec.leg.os });
    } catch {
      // Labels no queue can have: `enqueue` refused the job, so Redis never had it.
      return false;
    }
    return (await this.#options.queues.get(name).getJobState(bullId)) !== "unknown";
  }

  async #fail(job: JobRecord & { readonly state: OpenState }, bullId: string): Promise<void> {
    const summary = lostSummary(job.state);
    this.#options.logger.warn(
      { job: job.id, attempt: job.attempt, state: job.state, summary },
      "job lost by the queue",
    );
    await postMessage(this.#options.results, bullId, {
      kind: "finished",
      jobId: job.id,
      attempt: job.attempt,
      runner: "(none)",
      result: failureResult({
        jobId: job.id,
        attempt: job.attempt,
        summary,
        now: new Date(this.#now()).toISOString(),
      }),
    });
  }
}

function isOpen(job: JobRecord): job is JobRecord & { readonly state: OpenState } {
  return job.state === "queued" || job.state === "in_progress";
}
