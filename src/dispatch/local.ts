import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { DispatchEvents, DispatchRequest, Dispatcher, JobExecutor } from "../engine/ports.js";
import type { JobResult } from "../pipeline/types.js";

export interface LocalDispatcherOptions {
  readonly executor: JobExecutor;
  /** Jobs running at once across all pipelines. */
  readonly concurrency: number;
  readonly events: DispatchEvents;
  readonly logger: Logger;
}

/**
 * Applying a result is retried as the queue's results are (5 attempts, backoff from 500 ms): a
 * store that lost its connection would otherwise drop the result, leaving the job in progress.
 */
const APPLY_ATTEMPTS = 5;
const APPLY_BACKOFF_MS = 500;

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** The embedded default: an in-process pool that runs jobs with a JobExecutor on this host. */
export class LocalDispatcher implements Dispatcher {
  readonly #options: LocalDispatcherOptions;
  readonly #log: Logger;
  readonly #queue: DispatchRequest[] = [];
  readonly #running = new Map<string, Running>();
  #closed = false;

  constructor(options: LocalDispatcherOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    this.#options = options;
    this.#log = options.logger.child({ name: "dispatch" });
  }

  enqueue(request: DispatchRequest): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("dispatcher is closed"));
    const duplicate =
      this.#running.has(request.jobId) || this.#queue.some((q) => q.jobId === request.jobId);
    if (!duplicate) this.#queue.push(request);
    this.#pump();
    return Promise.resolve();
  }

  cancel(jobId: string): Promise<void> {
    const index = this.#queue.findIndex((q) => q.jobId === jobId);
    if (index >= 0) this.#queue.splice(index, 1);
    this.#running.get(jobId)?.controller.abort();
    return Promise.resolve();
  }

  /** Stops taking jobs and cancels the running ones; resolves once their processes are gone. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    const running = [...this.#running.values()];
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((job) => job.done));
  }

  /** Jobs waiting for a free slot. */
  get depth(): number {
    return this.#queue.length;
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#options.concurrency) {
      const request = this.#queue.shift();
      if (request === undefined) return;
      const controller = new AbortController();
      const done = this.#run(request, controller.signal).finally(() => {
        this.#running.delete(request.jobId);
        this.#pump();
      });
      this.#running.set(request.jobId, { controller, done });
    }
  }

  async #run(request: DispatchRequest, signal: AbortSignal): Promise<void> {
    const { events, executor } = this.#options;
    let started: Promise<void> = Promise.resolve();
    const onStart = (): void => {
      started = events.started(request.jobId, request.attempt, new Date().toISOString());
    };
    let result: JobResult;
    try {
      result = await executor.execute(request, { signal, onStart });
    } catch (error) {
      this.#log.error({ err: error, job: request.jobId }, "executor crashed");
      result = crashResult(request, error);
    }
    await started.catch((error: unknown) => {
      // The result below moves the job from queued as well.
      this.#log.warn({ err: error, job: request.jobId }, "recording a job's start failed");
    });
    try {
      await this.#apply(result);
    } catch (error) {
      this.#log.error({ err: error, job: request.jobId }, "applying a job result failed");
    }
  }

  async #apply(result: JobResult): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt += 1) {
      try {
        await this.#options.events.finished(result);
        return;
      } catch (error) {
        if (attempt >= APPLY_ATTEMPTS) throw error;
        this.#log.warn({ err: error, job: result.jobId, attempt }, "applying a job result failed");
        await sleep(APPLY_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }
}

function crashResult(request: DispatchRequest, error: unknown): JobResult {
  const now = new Date().toISOString();
  const message = error instanceof Error ? error.message : String(error);
  return {
    jobId: request.jobId,
    attempt: request.attempt,
    conclusion: "failure",
    summary: `the runner failed: ${message}`,
    startedAt: now,
    finishedAt: now,
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
  };
}

export function createLocalDispatcher(options: LocalDispatcherOptions): LocalDispatcher {
  return new LocalDispatcher(options);
}
