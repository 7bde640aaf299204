import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Conclusion, JobKind } from "../pipeline/types.js";

/**
 * What happened to a webhook delivery. `processed`: handled; `duplicate`: a delivery id seen
 * before; `rejected`: refused (a bad signature, or the server is shutting down); `failed`: the
 * handler threw (GitHub shows the delivery as failed, and its redelivery is processed again).
 */
export const WEBHOOK_OUTCOMES = ["processed", "duplicate", "rejected", "failed"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/** The event label of deliveries whose signature did not verify: their headers are untrusted. */
export const UNVERIFIED_EVENT = "unverified";

/** Seconds; jobs run from a second (a lint) to the 20-minute default timeout and beyond. */
const JOB_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600];

export interface PylotMetricsOptions {
  /** Jobs waiting for a runner slot, read at scrape time; undefined when unknown. */
  readonly queueDepth: () => number | undefined | Promise<number | undefined>;
  /** Node process metrics (`pylot_process_*`, `pylot_nodejs_*`); default true. */
  readonly processMetrics?: boolean;
}

/** Pylot's Prometheus series, in a registry of their own (never prom-client's global one). */
export interface PylotMetrics {
  readonly registry: Registry;
  webhook(event: string, outcome: WebhookOutcome): void;
  pipelineCompleted(conclusion: Conclusion): void;
  jobCompleted(job: {
    readonly kind: JobKind;
    readonly conclusion: Conclusion;
    readonly seconds: number | undefined;
  }): void;
  /** A GitHub API answer: its status ("network" when none came) and the rate limit it reported. */
  githubResponse(response: {
    readonly status: number | "network";
    readonly installation: string;
    readonly remaining: number | undefined;
  }): void;
}

export function createMetrics(options: PylotMetricsOptions): PylotMetrics {
  const registry = new Registry();
  const registers = [registry];
  const webhooks = new Counter({
    name: "pylot_webhooks_total",
    help: "Webhook deliveries by event and outcome (processed, duplicate, rejected, failed).",
    labelNames: ["event", "outcome"] as const,
    registers,
  });
  const pipelines = new Counter({
    name: "pylot_pipelines_total",
    help: "Pipelines completed, by conclusion.",
    labelNames: ["conclusion"] as const,
    registers,
  });
  const jobs = new Counter({
    name: "pylot_jobs_total",
    help: "Jobs completed, by kind and conclusion.",
    labelNames: ["kind", "conclusion"] as const,
    registers,
  });
  const durations = new Histogram({
    name: "pylot_job_duration_seconds",
    help: "How long completed jobs ran, by kind.",
    labelNames: ["kind"] as const,
    buckets: JOB_DURATION_BUCKETS,
    registers,
  });
  new Gauge({
    name: "pylot_queue_depth",
    help: "Jobs waiting for a runner: this replica's local pool, or every run queue in Redis.",
    registers,
    async collect() {
      const depth = await options.queueDepth();
      if (depth !== undefined) this.set(depth);
    },
  });
  const requests = new Counter({
    name: "pylot_github_requests_total",
    help: "GitHub API requests by response status.",
    labelNames: ["status"] as const,
    registers,
  });
  const remaining = new Gauge({
    name: "pylot_github_rate_limit_remaining",
    help: "The rate limit remaining GitHub last reported, per installation.",
    labelNames: ["installation"] as const,
    registers,
  });
  if (options.processMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: "pylot_" });
  return {
    registry,
    webhook(event, outcome) {
      webhooks.inc({ event, outcome });
    },
    pipelineCompleted(conclusion) {
      pipelines.inc({ conclusion });
    },
    jobCompleted({ kind, conclusion, seconds }) {
      jobs.inc({ kind, conclusion });
      if (seconds !== undefined) durations.observe({ kind }, seconds);
    },
    githubResponse(response) {
      requests.inc({ status: String(response.status) });
      if (response.remaining !== undefined)
        remaining.set({ installation: response.installation }, response.remaining);
    },
  };
}

/**
 * A dispatcher's waiting jobs: the local pool's (`LocalDispatcher#depth`), or the count of
 * every run queue a queue dispatcher reads from Redis (`QueueDispatcher#waiting`). A Redis that
 * does not answer leaves the gauge as it was rather than failing the scrape.
 */
export async function depthOf(dispatcher: object): Promise<number | undefined> {
  if ("depth" in dispatcher && typeof dispatcher.depth === "number") return dispatcher.depth;
  if ("waiting" in dispatcher && typeof dispatcher.waiting === "function") {
    const waiting = (dispatcher.waiting as () => Promise<number>).bind(dispatcher);
    return waiting().catch(() => undefined);
  }
  return undefined;
}
