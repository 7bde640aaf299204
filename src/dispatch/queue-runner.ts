import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker, type QueueEvents } from "bullmq";
import type { Logger } from "pino";
import type { DispatchRequest, JobExecutor } from "../engine/ports.js";
import { queueSettings, type QueueConnection, type QueueSettings } from "./queue/connection.js";
import { BlobStore, type BlobLimits } from "./queue/blobs.js";
import { listenForCancels } from "./queue/control.js";
import type { RunReturn } from "./queue/messages.js";
import { RunnerRegistry } from "./queue/registry.js";
import { openResultsQueue, type ResultsQueue } from "./queue/results.js";
import { ABORT, RecentIds, runProcessor } from "./queue/run-processor.js";
import { runnerQueues, type RunnerInfo } from "./queue/runner-info.js";
import { SlotGate } from "./queue/slot-gate.js";

/**
 * How BullMQ notices a dead runner. A job runs in child processes, so the runner's event loop is
 * free to renew the job's lock every `lockDurationMs / 2` however long the job runs: a 20-minute
 * Python job holds its lock for 20 minutes without ever nearing `lockDurationMs`. The lock only
 * lapses when the runner dies (kill -9, a lost host) or its event loop stalls longer than
 * `lockDurationMs`. Every `stalledIntervalMs`, the other runners of the queue look for jobs whose
 * lock lapsed and put them back to wait (same BullMQ job, same attempt), so a dead runner's job
 * restarts elsewhere within about `lockDurationMs + 2 × stalledIntervalMs` (2 minutes with the
 * defaults). A job recovered `maxStalledCount` times fails the next time it stalls: a job that
 * keeps killing its runner (say, by exhausting memory) must not take down the fleet host by host.
 */
export interface StallSettings {
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

export const DEFAULT_STALL: StallSettings = {
  lockDurationMs: 60_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
};

export interface QueueRunnerOptions {
  readonly connection: QueueConnection;
  readonly prefix?: string;
  /** Shown in logs, in heartbeats and in the no-runner message. */
  readonly name: string;
  /** The Python versions this host runs, "major.minor". */
  readonly pythons: readonly string[];
  /** `linux` and PYLOT_RUNNER_LABELS: a job's `os` must be one of them. */
  readonly labels: readonly string[];
  /** Jobs at once, across all of this runner's queues. */
  readonly concurrency: number;
  readonly executor: JobExecutor;
  readonly logger: Logger;
  readonly stall?: Partial<StallSettings>;
  /** Between heartbeats; the runner counts as dead 3 heartbeats after its last. Default 10 s. */
  readonly heartbeatMs?: number;
  /** Where jobs' inputs (the build's wheel) are put; default `<tmpdir>/pylot-inputs`. */
  readonly inputsDir?: string;
  /** Size cap and TTL of the files this runner sends through Redis. */
  readonly blobs?: BlobLimits;
}

type RunWorker = Worker<DispatchRequest, RunReturn, "run">;

/**
 * A `pylot runner`: one BullMQ worker per label queue (a worker consumes one queue), sharing one
 * concurrency budget, running jobs with a JobExecutor, advertising itself with a heartbeat.
 */
export class QueueRunner {
  readonly info: RunnerInfo;
  readonly queues: readonly string[];
  readonly #settings: QueueSettings;
  readonly #log: Logger;
  readonly #results: ResultsQueue;
  readonly #registry: RunnerRegistry;
  readonly #workers: RunWorker[];
  readonly #gate: SlotGate;
  readonly #control: QueueEvents;
  readonly #blobs: BlobStore;
  readonly #heartbeatMs: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: QueueRunnerOptions) {
    this.#settings = queueSettings(options.connection, options.prefix);
    this.info = {
      id: `${options.name}-${randomUUID()}`,
      name: options.name,
      pythons: [...options.pythons],
      labels: [...options.labels],
      concurrency: options.concurrency,
      startedAt: new Date().toISOString(),
    };
    this.queues = runnerQueues(this.info);
    if (this.queues.length === 0) throw new Error("a runner needs at least one Python and label");
    this.#log = options.logger.child({ name: "runner" });
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#results = openResultsQueue(this.#settings);
    this.#registry = new RunnerRegistry({
      client: () => this.#results.getBackend().client,
      prefix: this.#settings.prefix,
      logger: this.#log,
    });
    this.#gate = new SlotGate({
      capacity: options.concurrency,
      onFull: () => {
        for (const worker of this.#workers) void worker.pause(true);
      },
      onFree: () => {
        if (this.#closing === undefined) for (const worker of this.#workers) void worker.resume();
      },
    });
    const cancelled = new RecentIds(10 * 60_000);
    this.#blobs = new BlobStore({
      connection: options.connection,
      prefix: this.#settings.prefix,
      logger: this.#log,
      ...options.blobs,
    });
    const processor = runProcessor({
      executor: options.executor,
      results: this.#results,
      gate: this.#gate,
      cancelled,
      runner: options.name,
      logger: this.#log,
      bounceDelayMs: 1_000,
      blobs: this.#blobs,
      inputsDir: options.inputsDir ?? join(tmpdir(), "pylot-inputs"),
    });
    const stall = { ...DEFAULT_STALL, ...options.stall };
    this.#workers = this.queues.map((queue) => this.#worker(queue, processor, stall));
    this.#control = listenForCancels(this.#settings, (bullId) => {
      cancelled.add(bullId);
      for (const worker of this.#workers) worker.cancelJob(bullId, ABORT.cancel);
    });
    this.#control.on("error", (error) => {
      this.#log.warn({ err: error }, "control stream error");
    });
  }

  /** Resolves once the runner listens for cancellations, takes jobs and is listed as live. */
  async ready(): Promise<void> {
    await this.#control.waitUntilReady();
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
    if (this.#closing !== undefined) return;
    await this.#beat();
    this.#heartbeat ??= setInterval(() => void this.#beat(), this.#heartbeatMs);
    this.#log.info({ queues: this.queues, concurrency: this.info.concurrency }, "runner ready");
  }

  /** Jobs running now. */
  get running(): number {
    return this.#gate.used;
  }

  /**
   * Stops taking jobs and leaves the live list; running jobs may finish for `graceMs` (default:
   * as long as they take), then they are aborted, their processes killed, and they go back to
   * the queue for another runner.
   */
  close(options: { readonly graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.graceMs);
    return this.#closing;
  }

  async #close(graceMs: number | undefined): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#registry.leave(this.info.id).catch((error: unknown) => {
      this.#log.warn({ err: error }, "could not leave the runner list");
    });
    this.#log.info({ running: this.running, graceMs }, "runner stopping");
    const timer =
      graceMs === undefined
        ? undefined
        : setTimeout(() => {
            for (const worker of this.#workers) worker.cancelAllJobs(ABORT.shutdown);
          }, graceMs);
    await Promise.all(this.#workers.map((worker) => worker.close()));
    clearTimeout(timer);
    await Promise.all([this.#control.close(), this.#results.close(), this.#blobs.close()]);
    this.#log.info("runner stopped");
  }

  #worker(
    queue: string,
    processor: ReturnType<typeof runProcessor>,
    stall: StallSettings,
  ): RunWorker {
    const worker = new Worker<DispatchRequest, RunReturn, "run">(queue, processor, {
      ...this.#settings,
      name: this.info.name,
      concurrency: this.info.concurrency,
      lockDuration: stall.lockDurationMs,
      stalledInterval: stall.stalledIntervalMs,
      maxStalledCount: stall.maxStalledCount,
    });
    worker.on("error", (error) => {
      this.#log.warn({ err: error, queue }, "worker error");
    });
    worker.on("lockRenewalFailed", (ids) => {
      for (const id of ids) worker.cancelJob(id, ABORT.lockLost);
    });
    worker.on("stalled", (id) => {
      this.#log.warn({ bullJob: id, queue }, "took back a job whose runner stopped");
    });
    return worker;
  }

  async #beat(): Promise<void> {
    try {
      await this.#registry.beat(this.info, this.#heartbeatMs * 3);
    } catch (error) {
      this.#log.warn({ err: error }, "heartbeat failed");
    }
  }
}

export function createQueueRunner(options: QueueRunnerOptions): QueueRunner {
  return new QueueRunner(options);
}
