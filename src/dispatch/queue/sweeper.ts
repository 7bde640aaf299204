import type { Job } from "bullmq";
import type { Logger } from "pino";
import { z } from "zod";
import type { DispatchRequest } from "../../engine/ports.js";
import { failureResult, type RunReturn } from "./messages.js";
import type { RouteLabels } from "./names.js";
import type { RunnerRegistry } from "./registry.js";
import { postMessage, type ResultsQueue } from "./results.js";
import { canRun, noRunnerSummary, type RunnerInfo } from "./runner-info.js";
import type { RunQueue, RunQueues } from "./run-queues.js";

export interface SweeperOptions {
  readonly queues: RunQueues;
  readonly results: ResultsQueue;
  readonly registry: RunnerRegistry;
  readonly noRunnerTimeoutMs: number;
  readonly logger: Logger;
}

type RunJob = Job<DispatchRequest, RunReturn, "run">;

/** Enough of a run job's data to report on it, even when the rest is malformed. */
const JobNameSchema = z.object({ jobId: z.string().min(1), attempt: z.number().int().positive() });

/** How many jobs of one queue a sweep looks at; the next sweep takes the rest. */
const PAGE = 500;

/**
 * Turns run jobs that can no longer produce a result into failure results: jobs BullMQ failed
 * (a runner fault, or a job that stalled more often than `maxStalledCount`) and jobs that waited
 * `noRunnerTimeoutMs` for labels no live runner has. Every replica sweeps; the failure is posted
 * as the job's `finished` message, whose id makes the replicas' copies (and a runner's late real
 * result) collapse into one, then the run job is removed.
 */
export class Sweeper {
  readonly #options: SweeperOptions;
  readonly #log: Logger;

  constructor(options: SweeperOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  async sweep(): Promise<void> {
    let live: RunnerInfo[] | undefined;
    const liveRunners = async () => (live ??= await this.#options.registry.live());
    for (const [name, labels] of await this.#options.queues.known()) {
      const queue = this.#options.queues.get(name);
      await this.#reportFailed(queue);
      await this.#reportUnrunnable(queue, labels, liveRunners);
    }
  }

  async #reportFailed(queue: RunQueue): Promise<void> {
    for (const job of await queue.getFailed(0, PAGE - 1)) {
      const reason = job.failedReason || "unknown error";
      await this.#fail(queue, job, `the job failed on its runner: ${reason}`);
    }
  }

  async #reportUnrunnable(
    queue: RunQueue,
    labels: RouteLabels,
    liveRunners: () => Promise<RunnerInfo[]>,
  ): Promise<void> {
    // Runners first: when one can take the queue's jobs (the usual case), no job is read.
    const live = await liveRunners();
    if (live.some((runner) => canRun(runner, labels))) return;
    const deadline = Date.now() - this.#options.noRunnerTimeoutMs;
    const waiting = await queue.getJobs(["waiting", "delayed", "prioritized"], 0, PAGE - 1);
    const stale = waiting.filter((job) => job.timestamp <= deadline);
    if (stale.length === 0) return;
    const summary = noRunnerSummary(labels, live);
    for (const job of stale) await this.#fail(queue, job, summary);
  }

  async #fail(queue: RunQueue, job: RunJob, summary: string): Promise<void> {
    const id = job.id;
    if (id === undefined) return;
    const named = JobNameSchema.safeParse(job.data);
    if (!named.success) {
      this.#log.error({ queue: queue.name, id, summary }, "removed a run job with invalid data");
      await queue.remove(id);
      return;
    }
    const { jobId, attempt } = named.data;
    this.#log.warn({ job: jobId, attempt, queue: queue.name, summary }, "run job ended by sweep");
    await postMessage(this.#options.results, id, {
      kind: "finished",
      jobId,
      attempt,
      runner: "(none)",
      result: failureResult({ jobId, attempt, summary, now: new Date().toISOString() }),
    });
    await queue.remove(id);
  }
}
