import type { RedisClient, Worker } from "bullmq";
import type { Logger } from "pino";
import { z } from "zod";
import type { DispatchEvents, DispatchRequest, Dispatcher } from "../engine/ports.js";
import { receiveArtifacts, sendInputs, type ArtifactSink } from "./queue/blob-transfer.js";
import { BlobStore, type BlobLimits } from "./queue/blobs.js";
import { queueSettings, type QueueConnection, type QueueSettings } from "./queue/connection.js";
import { CancelPublisher } from "./queue/control.js";
import type { ResultMessage } from "./queue/messages.js";
import { bullJobId, parseDuration, pylotKeys } from "./queue/names.js";
import { RunnerRegistry } from "./queue/registry.js";
import { LostJobs, DEFAULT_LOST_JOB_GRACE_MS, type LostJobsStore } from "./queue/lost-jobs.js";
import { RedisEpoch } from "./queue/redis-epoch.js";
import { createResultConsumer, openResultsQueue, type ResultsQueue } from "./queue/results.js";
import { RUN_JOB_OPTIONS, RunQueues } from "./queue/run-queues.js";
import { Sweeper } from "./queue/sweeper.js";

export interface QueueDispatcherOptions {
  /** `PYLOT_REDIS_URL`, or ioredis options. */
  readonly connection: QueueConnection;
  /** BullMQ key prefix shared with the runners; default "pylot". */
  readonly prefix?: string;
  readonly events: DispatchEvents;
  readonly logger: Logger;
  /** How long a job may wait for labels no live runner has; default 5 minutes. */
  readonly noRunnerTimeoutMs?: number;
  /** How often this replica sweeps for failed and unrunnable jobs; default from the timeout. */
  readonly sweepIntervalMs?: number;
  /** Runner messages this replica applies at once; default 8. */
  readonly resultConcurrency?: number;
  /**
   * Where artifacts that runners send are kept (the App's artifact store). Without it, results
   * keep their runners' paths, which only a runner on this host can honour (tests).
   */
  readonly artifacts?: ArtifactSink;
  /** Size cap and TTL of the files this replica sends through Redis (jobs' inputs). */
  readonly blobs?: BlobLimits;
  /**
   * The store the engine keeps jobs in: the sweep compares it with Redis and fails jobs Redis
   * lost (queue/lost-jobs.ts). Without it (a dispatcher tested alone), lost jobs go unnoticed.
   */
  readonly store?: LostJobsStore;
  /** How long a queued or running job must be missing from Redis to be lost; default 2 minutes. */
  readonly lostJobGraceMs?: number;
}

export const DEFAULT_NO_RUNNER_TIMEOUT_MS = 5 * 60_000;

/** Where the latest attempt of a job went, so any replica can cancel it. */
const PlacementSchema = z.object({ queue: z.string(), bullId: z.string() });
const PLACEMENT_TTL_S = 7 * 86_400;

/**
 * The Dispatcher of the scaled set-up: jobs go to BullMQ queues on Redis (one per label set),
 * `pylot runner` hosts take them, and their messages come back through a results queue that
 * every replica consumes. See queue/results.ts and queue/sweeper.ts for why.
 */
export class QueueDispatcher implements Dispatcher {
  readonly #settings: QueueSettings;
  readonly #log: Logger;
  readonly #results: ResultsQueue;
  readonly #queues: RunQueues;
  readonly #cancels: CancelPublisher;
  readonly #consumer: Worker<ResultMessage>;
  readonly #sweeper: Sweeper;
  readonly #epoch: RedisEpoch;
  readonly #lostJobs: LostJobs | undefined;
  readonly #blobs: BlobStore;
  readonly #timer: NodeJS.Timeout;
  #sweeping: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: QueueDispatcherOptions) {
    this.#settings = queueSettings(options.connection, options.prefix);
    this.#log = options.logger.child({ name: "dispatch", prefix: this.#settings.prefix });
    this.#results = openResultsQueue(this.#settings);
    this.#results.on("error", (error) => {
      this.#log.warn({ err: error }, "results queue error");
    });
    const client = () => this.#client();
    this.#queues = new RunQueues({ settings: this.#settings, client });
    this.#cancels = new CancelPublisher(this.#settings);
    const blobs = new BlobStore({
      connection: options.connection,
      prefix: this.#settings.prefix,
      logger: this.#log,
      ...options.blobs,
    });
    this.#blobs = blobs;
    const sink = options.artifacts;
    this.#consumer = createResultConsumer({
      settings: this.#settings,
      events: options.events,
      logger: this.#log,
      concurrency: options.resultConcurrency ?? 8,
      ...(sink === undefined
        ? {}
        : { receive: (result, runner) => receiveArtifacts(blobs, sink, result, runner) }),
    });
    const noRunnerTimeoutMs = options.noRunnerTimeoutMs ?? DEFAULT_NO_RUNNER_TIMEOUT_MS;
    this.#sweeper = new Sweeper({
      queues: this.#queues,
      results: this.#results,
      registry: new RunnerRegistry({ client, prefix: this.#settings.prefix, logger: this.#log }),
      noRunnerTimeoutMs,
      logger: this.#log,
    });
    this.#epoch = new RedisEpoch({ client, prefix: this.#settings.prefix, logger: this.#log });
    this.#lostJobs =
      options.store === undefined
        ? undefined
        : new LostJobs({
            store: options.store,
            queues: this.#queues,
            results: this.#results,
            graceMs: options.lostJobGraceMs ?? DEFAULT_LOST_JOB_GRACE_MS,
            logger: this.#log,
          });
    const interval =
      options.sweepIntervalMs ?? Math.min(10_000, Math.max(250, noRunnerTimeoutMs / 4));
    this.#timer = setInterval(() => void this.sweep(), interval);
    // The consumer keeps a replica's process alive; the sweep timer alone should not.
    this.#timer.unref();
  }

  /** Resolves once Redis answered and this replica consumes runner messages. */
  async ready(): Promise<void> {
    await Promise.all([this.#results.waitUntilReady(), this.#consumer.waitUntilReady()]);
  }

  async enqueue(request: DispatchRequest): Promise<void> {
    if (this.#closed) throw new Error("dispatcher is closed");
    const queue = await this.#queues.forLabels({
      python: request.spec.leg.python,
      os: request.spec.leg.os,
    });
    const bullId = bullJobId(request.jobId, request.attempt);
    await sendInputs(this.#blobs, request, this.#log);
    const client = await this.#client();
    await client.set(
      pylotKeys.job(this.#settings.prefix, request.jobId),
      JSON.stringify({ queue: queue.name, bullId }),
      { EX: PLACEMENT_TTL_S },
    );
    // A duplicate (same job and attempt) finds the existing BullMQ job and adds nothing.
    await queue.add("run", request, { ...RUN_JOB_OPTIONS, jobId: bullId });
    this.#log.debug({ job: request.jobId, attempt: request.attempt, queue: queue.name }, "queued");
  }

  /** Jobs waiting for a runner in every run queue any replica has used (the depth metric). */
  async waiting(): Promise<number> {
    let total = 0;
    for (const name of (await this.#queues.known()).keys()) {
      const counts = await this.#queues.get(name).getJobCounts("waiting", "prioritized", "delayed");
      total += Object.values(counts).reduce((sum, count) => sum + count, 0);
    }
    return total;
  }

  /** A waiting job is removed; a running one is aborted by its runner, which kills its processes. */
  async cancel(jobId: string): Promise<void> {
    const client = await this.#client();
    const placement = parsePlacement(await client.get(pylotKeys.job(this.#settings.prefix, jobId)));
    if (placement === undefined) return;
    const removed = await this.#queues.get(placement.queue).remove(placement.bullId);
    // 0: the job is locked, i.e. a runner holds it.
    if (removed === 0) await this.#cancels.publish(placement.bullId);
    this.#log.debug({ job: jobId, running: removed === 0 }, "cancelled");
  }

  /** Reports failed, unrunnable and lost jobs now (it also runs on a timer). */
  sweep(): Promise<void> {
    if (this.#closed) return this.#sweeping;
    this.#sweeping = this.#sweeping.then(async () => {
      await this.#step("epoch", async () => {
        if (await this.#epoch.changed()) this.#queues.forgetRegistrations();
      });
      await this.#step("queues", () => this.#sweeper.sweep());
      await this.#step("lost", async () => this.#lostJobs?.reconcile());
    });
    return this.#sweeping;
  }

  /** One part of a sweep: a failure (Redis down, say) is logged and the next part still runs. */
  async #step(part: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#log.warn({ err: error, part }, "sweep failed");
    }
  }

  /** Stops consuming (in-flight messages are applied first) and closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#sweeping;
    await this.#consumer.close();
    await Promise.all([
      this.#queues.close(),
      this.#cancels.close(),
      this.#results.close(),
      this.#blobs.close(),
    ]);
  }

  #client(): Promise<RedisClient> {
    return this.#results.getBackend().client;
  }
}

function parsePlacement(json: string | null): z.infer<typeof PlacementSchema> | undefined {
  if (json === null) return undefined;
  try {
    const parsed = PlacementSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function createQueueDispatcher(options: QueueDispatcherOptions): QueueDispatcher {
  return new QueueDispatcher(options);
}

/** The queue settings a process reads from its environment (the App and `pylot runner`). */
export interface QueueEnv {
  readonly url: string | undefined;
  readonly prefix: string | undefined;
  readonly noRunnerTimeoutMs: number;
}

export function queueEnv(env: NodeJS.ProcessEnv): QueueEnv {
  return {
    url: env.PYLOT_REDIS_URL === "" ? undefined : env.PYLOT_REDIS_URL,
    prefix: env.PYLOT_QUEUE_PREFIX === "" ? undefined : env.PYLOT_QUEUE_PREFIX,
    noRunnerTimeoutMs: parseDuration(env.PYLOT_NO_RUNNER_TIMEOUT) ?? DEFAULT_NO_RUNNER_TIMEOUT_MS,
  };
}
