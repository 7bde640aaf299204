import { Queue, Worker, type JobsOptions } from "bullmq";
import type { Logger } from "pino";
import type { DispatchEvents } from "../../engine/ports.js";
import type { JobResult } from "../../pipeline/types.js";
import type { QueueSettings } from "./connection.js";
import { ResultMessageSchema, resultOf, type ResultMessage } from "./messages.js";
import { messageId, RESULTS_QUEUE } from "./names.js";

/**
 * Results travel back as jobs of their own queue (BullMQ's "results queue" pattern) rather than
 * as QueueEvents broadcasts: each message is applied by exactly one bot replica (whichever
 * fetches it), survives every replica being down (it waits in Redis), and is retried on
 * another replica when the one applying it dies. Duplicates are still possible after a stall,
 * and harmless: the engine applies a transition only once per job and attempt.
 */

export type ResultsQueue = Queue<ResultMessage, void, ResultMessage["kind"]>;

const DAY_S = 86_400;

/**
 * Kept a day after they are applied, so a second message for the same run job (a runner that
 * reran it after a stall, a sweep that raced it) finds the first one and is dropped.
 */
const MESSAGE_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: DAY_S, count: 10_000 },
  removeOnFail: { age: 7 * DAY_S },
};

export function openResultsQueue(settings: QueueSettings): ResultsQueue {
  return new Queue<ResultMessage, void, ResultMessage["kind"]>(RESULTS_QUEUE, settings);
}

/** Sends one message about the run job `bullId`; a second of the same kind is ignored. */
export async function postMessage(
  queue: ResultsQueue,
  bullId: string,
  message: ResultMessage,
): Promise<void> {
  await queue.add(message.kind, message, {
    ...MESSAGE_OPTIONS,
    jobId: messageId(bullId, message.kind),
  });
}

export interface ResultConsumerOptions {
  readonly settings: QueueSettings;
  readonly events: DispatchEvents;
  readonly logger: Logger;
  readonly concurrency: number;
  /** Brings what a finished job built to this host before the engine applies it. */
  readonly receive?: (result: JobResult, runner: string) => Promise<JobResult>;
}

/** The worker of a bot replica that applies runner messages to the engine. */
export function createResultConsumer(options: ResultConsumerOptions): Worker<ResultMessage> {
  const { events, logger } = options;
  const worker = new Worker<ResultMessage>(
    RESULTS_QUEUE,
    async (job) => {
      const parsed = ResultMessageSchema.safeParse(job.data);
      if (!parsed.success) {
        logger.error({ message: job.id, issues: parsed.error.issues }, "invalid runner message");
        return;
      }
      const message = parsed.data;
      switch (message.kind) {
        case "started":
          await events.started(message.jobId, message.attempt, message.at);
          return;
        case "finished": {
          const result = resultOf(message, new Date().toISOString());
          const { receive } = options;
          await events.finished(
            receive === undefined ? result : await receive(result, message.runner),
          );
          return;
        }
      }
    },
    { ...options.settings, concurrency: options.concurrency },
  );
  worker.on("error", (error) => {
    logger.warn({ err: error }, "result consumer error");
  });
  worker.on("failed", (job, error) => {
    logger.error({ err: error, message: job?.id }, "applying a runner message failed");
  });
  return worker;
}
