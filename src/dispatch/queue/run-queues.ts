import { Queue, type JobsOptions, type RedisClient } from "bullmq";
import { z } from "zod";
import type { DispatchRequest } from "../../engine/ports.js";
import type { QueueSettings } from "./connection.js";
import type { RunReturn } from "./messages.js";
import { pylotKeys, runQueueName, type RouteLabels } from "./names.js";

export type RunQueue = Queue<DispatchRequest, RunReturn, "run">;

const DAY_S = 86_400;

/**
 * One attempt per BullMQ job: a job that throws on its runner is a runner fault reported as a
 * failure, not rerun for 20 minutes. Dead runners are covered by stall recovery instead, which
 * does not count attempts. A completed job is kept a day so that a duplicate enqueue of the same
 * `${jobId}#${attempt}` finds it and is ignored; failed jobs stay until a sweep reports them.
 */
export const RUN_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: DAY_S, count: 10_000 },
  removeOnFail: false,
};

const LabelsSchema = z.object({ python: z.string(), os: z.string() });

/** The run queues a bot replica talks to, opened on first use and registered in Redis. */
export class RunQueues {
  readonly #settings: QueueSettings;
  readonly #client: () => Promise<RedisClient>;
  readonly #open = new Map<string, RunQueue>();
  readonly #registered = new Set<string>();

  constructor(options: {
    readonly settings: QueueSettings;
    readonly client: () => Promise<RedisClient>;
  }) {
    this.#settings = options.settings;
    this.#client = options.client;
  }

  /** The queue of a label set; the first use records it so every replica sweeps it. */
  async forLabels(labels: RouteLabels): Promise<RunQueue> {
    const name = runQueueName(labels);
    if (!this.#registered.has(name)) {
      const client = await this.#client();
      await client.hset(pylotKeys.queues(this.#settings.prefix), {
        [name]: JSON.stringify({ python: labels.python, os: labels.os }),
      });
      this.#registered.add(name);
    }
    return this.get(name);
  }

  /** Registers every queue again on its next use: Redis lost the record of them. */
  forgetRegistrations(): void {
    this.#registered.clear();
  }

  get(name: string): RunQueue {
    let queue = this.#open.get(name);
    if (queue === undefined) {
      queue = new Queue<DispatchRequest, RunReturn, "run">(name, this.#settings);
      this.#open.set(name, queue);
    }
    return queue;
  }

  /** Every run queue any replica has used, with the labels its jobs need. */
  async known(): Promise<Map<string, RouteLabels>> {
    const client = await this.#client();
    const known = new Map<string, RouteLabels>();
    for (const [name, json] of Object.entries(
      await client.hgetall(pylotKeys.queues(this.#settings.prefix)),
    )) {
      const labels = parseLabels(json);
      if (labels !== undefined && nameOf(labels) === name) known.set(name, labels);
    }
    return known;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.values()].map((queue) => queue.close()));
    this.#open.clear();
  }
}

function nameOf(labels: RouteLabels): string | undefined {
  try {
    return runQueueName(labels);
  } catch {
    return undefined;
  }
}

function parseLabels(json: string): RouteLabels | undefined {
  try {
    const parsed = LabelsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
