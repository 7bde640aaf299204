import type { Logger } from "pino";
import type { JobState } from "../engine/ports.js";
import type { PipelineObserver } from "../metrics/index.js";

const OPEN: readonly JobState[] = ["queued", "in_progress"];

export type DrainOutcome = "idle" | "grace-expired";

/**
 * What a graceful shutdown waits for: webhook deliveries being handled and jobs this replica's
 * engine queued or started. `draining` turns webhooks and readiness away.
 */
export class Lifecycle {
  readonly #trackJobs: boolean;
  #draining = false;
  readonly #jobs = new Set<string>();
  #deliveries = 0;
  #waiters: (() => void)[] = [];

  /**
   * `trackJobs`: wait for open jobs at shutdown. Only jobs this process runs (the local runner)
   * are worth waiting for; queued jobs run on `pylot runner`s whatever this replica does.
   */
  constructor(options: { readonly trackJobs: boolean } = { trackJobs: true }) {
    this.#trackJobs = options.trackJobs;
  }

  /** Tracks open jobs from the engine's reports. */
  readonly observer: PipelineObserver = {
    jobChanged: (job) => {
      if (!this.#trackJobs) return;
      if (OPEN.includes(job.state)) this.#jobs.add(job.id);
      else this.#jobs.delete(job.id);
      this.#wake();
    },
  };

  get draining(): boolean {
    return this.#draining;
  }

  get openJobs(): number {
    return this.#jobs.size;
  }

  get openDeliveries(): number {
    return this.#deliveries;
  }

  /** Marks a delivery as being handled; call the returned function when it is done. */
  enterDelivery(): () => void {
    this.#deliveries += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#deliveries -= 1;
      this.#wake();
    };
  }

  startDraining(): void {
    this.#draining = true;
  }

  /** Resolves once no delivery is being handled and no job is open. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#deliveries === 0 && this.#jobs.size === 0;
  }

  #wake(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Stops taking webhooks, then waits until open work is done or `graceMs` passed. What is still
 * open afterwards is left in the store (queued, or in progress) for the next start to run again.
 */
export async function drain(
  lifecycle: Lifecycle,
  options: { readonly graceMs: number; readonly logger: Logger },
): Promise<DrainOutcome> {
  const { logger } = options;
  lifecycle.startDraining();
  logger.info(
    { openJobs: lifecycle.openJobs, graceSeconds: options.graceMs / 1000 },
    "shutting down: refusing webhooks, letting running jobs finish",
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<DrainOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve("grace-expired");
    }, options.graceMs);
  });
  const idle = lifecycle.idle().then((): DrainOutcome => "idle");
  const outcome = await Promise.race([idle, expired]);
  clearTimeout(timer);
  if (outcome === "grace-expired")
    logger.warn(
      { openJobs: lifecycle.openJobs, openDeliveries: lifecycle.openDeliveries },
      "grace period over: cancelling the rest, which runs again at the next start",
    );
  return outcome;
}
