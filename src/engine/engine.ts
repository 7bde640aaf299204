import type { Logger } from "pino";
import { decide, evaluateCoverageGate, withDependents } from "../pipeline/state.js";
import type { Conclusion, JobResult } from "../pipeline/types.js";
import { JobResultSchema } from "../pipeline/types.js";
import type {
  ArtifactHook,
  DispatchEvents,
  Dispatcher,
  JobRecord,
  JobState,
  PipelineRecord,
  PipelineView,
  Reporter,
  Store,
} from "./ports.js";
import { keptResult } from "./kept-result.js";
import { jobId, newJobRecord, newPipelineRecord } from "./records.js";
import { KeyedSerial } from "./serial.js";
import {
  selectKeys,
  type EngineGates,
  type EngineOptions,
  type GateOutcome,
  type RerunSelection,
  type StartInput,
} from "./options.js";
import {
  INTERRUPTED_DEPLOY,
  deployInputs,
  jobInputs,
  syntheticResult,
  stopSummary,
} from "./results.js";
import { Waiters } from "./waiters.js";

const OPEN: readonly JobState[] = ["pending", "queued", "in_progress"];

/**
 * The single owner of pipeline state: persists pipelines, dispatches ready jobs, applies runner
 * results idempotently (by job id and attempt) and tells a Reporter. Used by the App and the CLI.
 */
export class Engine implements DispatchEvents {
  readonly #store: Store;
  readonly #reporterFor: (pipeline: PipelineRecord) => Reporter;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #gates: EngineGates;
  readonly #serial = new KeyedSerial();
  readonly #waiters = new Waiters<PipelineView>();
  /** Secrets live in memory only: never in the store. */
  readonly #secrets = new Map<string, Readonly<Record<string, string>>>();
  readonly #secretsFor: EngineOptions["secretsFor"];
  readonly #artifacts: ArtifactHook | undefined;
  #dispatcher: Dispatcher | undefined;

  constructor(options: EngineOptions) {
    this.#store = options.store;
    this.#reporterFor = options.reporterFor;
    this.#log = options.logger.child({ name: "engine" });
    this.#now = options.now ?? (() => new Date());
    this.#secretsFor = options.secretsFor;
    this.#gates = options.gates ?? {};
    this.#artifacts = options.artifacts;
  }

  attach(dispatcher: Dispatcher): void {
    this.#dispatcher = dispatcher;
  }

  async start(input: StartInput): Promise<PipelineView> {
    const pipeline = newPipelineRecord({ ...input, now: this.#iso() });
    const jobs = input.plan.jobs.map((spec) => newJobRecord(pipeline.id, spec));
    if (input.secrets !== undefined) this.#secrets.set(pipeline.id, input.secrets);
    await this.#store.createPipeline(pipeline, jobs);
    return this.#serial.run(pipeline.id, async () => {
      const view = { pipeline, jobs };
      await this.#report(pipeline, (r) => r.pipelineCreated(view));
      await this.#advance(pipeline.id);
      return (await this.view(pipeline.id)) ?? view;
    });
  }

  async view(pipelineId: string): Promise<PipelineView | undefined> {
    const pipeline = await this.#store.getPipeline(pipelineId);
    if (pipeline === undefined) return undefined;
    return { pipeline, jobs: await this.#store.listJobs(pipelineId) };
  }

  async waitForPipeline(pipelineId: string): Promise<PipelineView> {
    const waiting = this.#waiters.wait(pipelineId);
    const current = await this.view(pipelineId);
    if (current === undefined) throw new Error(`unknown pipeline ${pipelineId}`);
    if (current.pipeline.status === "completed") this.#waiters.resolve(pipelineId, current);
    return waiting;
  }

  started(id: string, attempt: number, at: string): Promise<void> {
    return this.#serial.run(pipelineOf(id), async () => {
      const job = await this.#store.transitionJob(
        id,
        { from: ["queued"], attempt },
        { state: "in_progress", startedAt: at },
      );
      if (job !== undefined) await this.#jobChanged(job);
    });
  }

  finished(raw: JobResult): Promise<void> {
    const parsed = JobResultSchema.safeParse(raw);
    if (!parsed.success) {
      this.#log.error({ issues: parsed.error.issues }, "runner sent an invalid job result");
      return Promise.resolve();
    }
    return this.#serial.run(pipelineOf(parsed.data.jobId), async () => {
      const hook = this.#artifacts;
      const result =
        hook === undefined
          ? parsed.data
          : await keptResult({ hook, store: this.#store, result: parsed.data, log: this.#log });
      const job = await this.#store.transitionJob(
        result.jobId,
        { from: ["queued", "in_progress"], attempt: result.attempt },
        {
          state: "completed",
          conclusion: result.conclusion,
          result,
          startedAt: result.startedAt,
          finishedAt: result.finishedAt,
        },
      );
      if (job === undefined) {
        this.#log.debug({ job: result.jobId, attempt: result.attempt }, "ignored stale result");
        // It may be this very result again, taken before a later write failed (a dropped
        // connection): the pipeline moves on now, or it would wait on a job that has ended.
        await this.#advance(pipelineOf(result.jobId));
        return;
      }
      await this.#jobChanged(job);
      await this.#advance(job.pipelineId);
    });
  }

  /** Ends every open job as cancelled and kills what runs; the pipeline concludes cancelled. */
  cancelPipeline(pipelineId: string, reason: string): Promise<void> {
    return this.#serial.run(pipelineId, async () => {
      const jobs = await this.#store.listJobs(pipelineId);
      await this.#store.updatePipeline(pipelineId, {
        cancelReason: reason,
        updatedAt: this.#iso(),
      });
      for (const job of jobs.filter((j) => OPEN.includes(j.state)))
        await this.#stopJob(job, "cancelled", `cancelled: ${reason}`);
      await this.#advance(pipelineId);
    });
  }

  /** Runs jobs again with a new attempt; jobs that depend on them run again too. */
  rerun(pipelineId: string, which: RerunSelection): Promise<void> {
    return this.#serial.run(pipelineId, async () => {
      const pipeline = await this.#store.getPipeline(pipelineId);
      if (pipeline === undefined) return;
      const jobs = await this.#store.listJobs(pipelineId);
      const keys = withDependents(pipeline.plan.jobs, selectKeys(jobs, which));
      const chosen = jobs.filter((job) => keys.includes(job.spec.key) && job.state === "completed");
      if (chosen.length === 0) return;
      await this.#store.updatePipeline(pipelineId, {
        status: "running",
        conclusion: null,
        cancelReason: null,
        updatedAt: this.#iso(),
      });
      for (const job of chosen) await this.#reset(job, ["completed"]);
      await this.#advance(pipelineId);
    });
  }

  /**
   * After a restart: queued jobs are handed to the dispatcher again (dispatchers ignore
   * duplicates) and, with the in-process pool, jobs that were running are retried with a new
   * attempt, so nothing stays running forever. With a queue, a running job may still be alive on
   * its runner: `retryRunning: false` leaves it to the queue's own stall recovery.
   */
  async resume(options: { readonly retryRunning?: boolean } = {}): Promise<void> {
    const retryRunning = options.retryRunning ?? true;
    for (const pipeline of await this.#store.listRunningPipelines()) {
      await this.#serial.run(pipeline.id, async () => {
        for (const job of await this.#store.listJobs(pipeline.id)) {
          if (job.state === "queued") await this.#enqueue(pipeline, job);
          if (job.state !== "in_progress" || !retryRunning) continue;
          // A deploy may have partly run: it is never run again unasked.
          if (job.spec.kind === "deploy") await this.#stopJob(job, "cancelled", INTERRUPTED_DEPLOY);
          else await this.#reset(job, ["in_progress"]);
        }
        await this.#advance(pipeline.id);
      });
    }
  }

  /** Resolves when no engine work is in flight (tests and shutdown). */
  idle(): Promise<void> {
    return this.#serial.idle();
  }

  async #reset(job: JobRecord, from: readonly JobState[]): Promise<void> {
    const reset = await this.#store.transitionJob(
      job.id,
      { from, attempt: job.attempt },
      {
        state: "pending",
        attempt: job.attempt + 1,
        conclusion: null,
        result: null,
        startedAt: null,
        finishedAt: null,
      },
    );
    if (reset !== undefined) await this.#jobChanged(reset);
  }

  async #advance(pipelineId: string): Promise<void> {
    for (;;) {
      const view = await this.view(pipelineId);
      if (view === undefined || view.pipeline.status === "completed") return;
      const decision = decide(view.pipeline.plan, view.jobs);
      const byKey = new Map(view.jobs.map((job) => [job.spec.key, job]));
      for (const stop of decision.stop) {
        const job = byKey.get(stop.key);
        if (job !== undefined) await this.#stopJob(job, stop.conclusion, stopSummary(stop, view));
      }
      for (const key of decision.dispatch) {
        const job = byKey.get(key);
        if (job !== undefined) await this.#dispatch(view, job);
      }
      if (decision.done !== undefined) return this.#complete(view, decision.done);
      if (decision.stop.length === 0 && !decision.dispatch.some((k) => isEvaluated(byKey.get(k))))
        return;
    }
  }

  async #dispatch(view: PipelineView, job: JobRecord): Promise<void> {
    const evaluate = job.spec.evaluate;
    if (evaluate === undefined) {
      const queued = await this.#store.transitionJob(
        job.id,
        { from: ["pending"], attempt: job.attempt },
        { state: "queued" },
      );
      if (queued === undefined) return;
      await this.#jobChanged(queued);
      return this.#enqueue(view.pipeline, queued);
    }
    const leg = view.jobs.find((j) => j.spec.key === job.spec.needs[0]);
    const custom = await this.#coverageGate(view, job);
    const gate =
      custom ??
      evaluateCoverageGate(evaluate.minimum, {
        coverage: leg?.result?.coverage,
        legName: leg?.spec.name ?? "the coverage leg",
      });
    const result: JobResult = {
      ...syntheticResult(job, gate.conclusion, gate.summary, this.#iso()),
      ...(leg?.result?.coverage === undefined ? {} : { coverage: leg.result.coverage }),
      reports: leg?.result?.reports ?? {},
      ...custom?.result,
    };
    await this.#finish(job, result);
  }

  async #coverageGate(view: PipelineView, job: JobRecord): Promise<GateOutcome | undefined> {
    try {
      return await this.#gates.coverage?.(view, job);
    } catch (error) {
      this.#log.warn({ err: error, job: job.id }, "coverage gate failed; total only");
      return undefined;
    }
  }

  async #enqueue(pipeline: PipelineRecord, job: JobRecord): Promise<void> {
    if (this.#dispatcher === undefined) throw new Error("engine has no dispatcher attached");
    const inputs =
      job.spec.needs.length === 0
        ? deployInputs(job.spec, this.#artifacts)
        : jobInputs(job, await this.#store.listJobs(pipeline.id));
    await this.#dispatcher.enqueue({
      jobId: job.id,
      attempt: job.attempt,
      pipelineId: pipeline.id,
      spec: job.spec,
      source: pipeline.source,
      sha: pipeline.trigger.sha,
      ref: pipeline.trigger.ref,
      secrets: this.#secrets.get(pipeline.id) ?? this.#secretsFor?.(pipeline) ?? {},
      ...(inputs === undefined ? {} : { inputs }),
    });
  }

  async #stopJob(job: JobRecord, conclusion: Conclusion, summary: string): Promise<void> {
    const wasRunning = job.state === "queued" || job.state === "in_progress";
    const stopped = await this.#finish(job, syntheticResult(job, conclusion, summary, this.#iso()));
    if (stopped && wasRunning) await this.#dispatcher?.cancel(job.id);
  }

  async #finish(job: JobRecord, result: JobResult): Promise<boolean> {
    const done = await this.#store.transitionJob(
      job.id,
      { from: OPEN, attempt: job.attempt },
      {
        state: "completed",
        conclusion: result.conclusion,
        result,
        finishedAt: result.finishedAt,
        ...(job.startedAt === null ? { startedAt: result.startedAt } : {}),
      },
    );
    if (done !== undefined) await this.#jobChanged(done);
    return done !== undefined;
  }

  async #complete(view: PipelineView, conclusion: Conclusion): Promise<void> {
    await this.#store.updatePipeline(view.pipeline.id, {
      status: "completed",
      conclusion,
      updatedAt: this.#iso(),
    });
    const done = (await this.view(view.pipeline.id)) ?? view;
    this.#secrets.delete(view.pipeline.id);
    await this.#report(done.pipeline, (r) => r.pipelineCompleted(done));
    this.#waiters.resolve(view.pipeline.id, done);
  }

  async #jobChanged(job: JobRecord): Promise<void> {
    const view = await this.view(job.pipelineId);
    if (view === undefined) return;
    const fresh = view.jobs.find((j) => j.id === job.id) ?? job;
    await this.#report(view.pipeline, (r) => r.jobChanged(view, fresh));
  }

  async #report(pipeline: PipelineRecord, call: (r: Reporter) => Promise<void>): Promise<void> {
    try {
      await call(this.#reporterFor(pipeline));
    } catch (error) {
      this.#log.error({ err: error, pipeline: pipeline.id }, "reporter failed");
    }
  }

  #iso(): string {
    return this.#now().toISOString();
  }
}

function pipelineOf(id: string): string {
  return id.slice(0, id.lastIndexOf(":"));
}

function isEvaluated(job: JobRecord | undefined): boolean {
  return job?.spec.evaluate !== undefined;
}

export { jobId, INTERRUPTED_DEPLOY };
export type { EngineGates, EngineOptions, GateOutcome, RerunSelection, StartInput };
