import { QueueEvents, QueueEventsProducer, type QueueEventsListener } from "bullmq";
import type { QueueSettings } from "./connection.js";
import { CONTROL_QUEUE } from "./names.js";

/**
 * Cancellation of a running job, from any bot replica to whichever runner holds it. BullMQ's
 * `Worker.cancelJob` only reaches jobs of its own process, so the request travels on the event
 * stream of a queue that holds no jobs (QueueEventsProducer → QueueEvents on every runner).
 * A stream, unlike plain pub/sub, is read from the runner's last position after a reconnect.
 */

interface CancelEvent {
  readonly eventName: "cancel";
  /** The BullMQ job id (`${jobId}#${attempt}`, encoded). */
  readonly jobId: string;
}

interface ControlListener extends QueueEventsListener {
  cancel: (args: { jobId?: unknown }, id: string) => void;
}

/** Events kept in the control stream; a runner further behind than this missed nothing it runs. */
const MAX_EVENTS = 1_000;

export class CancelPublisher {
  readonly #producer: QueueEventsProducer;

  constructor(settings: QueueSettings) {
    this.#producer = new QueueEventsProducer(CONTROL_QUEUE, settings);
  }

  async publish(bullId: string): Promise<void> {
    const event: CancelEvent = { eventName: "cancel", jobId: bullId };
    await this.#producer.publishEvent(event, MAX_EVENTS);
  }

  close(): Promise<void> {
    return this.#producer.close();
  }
}

/** A runner's subscription to cancellations. */
export function listenForCancels(
  settings: QueueSettings,
  onCancel: (bullId: string) => void,
): QueueEvents {
  const events = new QueueEvents(CONTROL_QUEUE, settings);
  events.on<ControlListener, "cancel">("cancel", ({ jobId }) => {
    if (typeof jobId === "string") onCancel(jobId);
  });
  return events;
}
