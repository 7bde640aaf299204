/**
 * Names shared by the queue dispatcher (bot replicas) and `pylot runner` hosts: queue names,
 * BullMQ job ids and our own Redis keys. Pure, so both sides agree by construction.
 */

/** What a job needs from a runner. `os` is matched against the runner's labels. */
export interface RouteLabels {
  readonly python: string;
  readonly os: string;
}

/** The BullMQ prefix when none is configured: keys look like `pylot:jobs-py3.12-linux:wait`. */
export const DEFAULT_PREFIX = "pylot";
/** Runners send `started` and `finished` messages here; every bot replica consumes it. */
export const RESULTS_QUEUE = "results";
/** A queue that holds no jobs: its event stream carries cancellations to the runners. */
export const CONTROL_QUEUE = "control";

const LABEL = /^[A-Za-z0-9._-]+$/;

/**
 * One queue per label set: a runner consumes the queues of every (python, label) pair it has, so
 * BullMQ itself only ever offers it jobs it can run (no fetch-and-reject round trips).
 */
export function runQueueName(labels: RouteLabels): string {
  for (const value of [labels.python, labels.os]) {
    if (!LABEL.test(value)) throw new TypeError(`not a runner label: ${JSON.stringify(value)}`);
  }
  return `jobs-py${labels.python}-${labels.os}`;
}

/**
 * BullMQ refuses ':' in custom ids and our job ids are `${pipelineId}:${key}`; the encoding is
 * reversible so an id read back from Redis still names its job.
 */
export function bullJobId(jobId: string, attempt: number): string {
  return `${jobId.replaceAll("%", "%25").replaceAll(":", "%3A")}#${attempt}`;
}

export type MessageKind = "started" | "finished";

/** One message of each kind per BullMQ job: a second `finished` (a rerun after a stall) is ignored. */
export function messageId(bullId: string, kind: MessageKind): string {
  return `${bullId}.${kind}`;
}

/**
 * Our own keys. The empty segment after the prefix keeps them out of BullMQ's keyspace
 * (`{prefix}:{queue}:…` with a non-empty queue name), as BullMQ's relay does for its keys.
 */
export const pylotKeys = {
  /** Hash: runner id → RunnerInfo JSON. Entries whose `alive` key expired are dead. */
  runners: (prefix: string) => `${prefix}::pylot:runners`,
  /** String with a TTL, renewed by the runner's heartbeat. */
  alive: (prefix: string, runnerId: string) => `${prefix}::pylot:alive:${runnerId}`,
  /** Hash: run queue name → RouteLabels JSON, so every replica sweeps every queue in use. */
  queues: (prefix: string) => `${prefix}::pylot:queues`,
  /** String: where the latest attempt of a job was enqueued, so any replica can cancel it. */
  job: (prefix: string, jobId: string) => `${prefix}::pylot:job:${jobId}`,
  /** String: set once per Redis dataset; when it vanishes, Redis lost its data (redis-epoch.ts). */
  epoch: (prefix: string) => `${prefix}::pylot:epoch`,
  /** String with a TTL: a file crossing the queue, named by its SHA-256 (blobs.ts). */
  blob: (prefix: string, sha256: string) => `${prefix}::pylot:blob:${sha256}`,
} as const;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration setting such as PYLOT_NO_RUNNER_TIMEOUT: "300" (seconds), "90s", "5m", "1500ms",
 * "1h". Undefined when unset or not a positive duration.
 */
export function parseDuration(value: string | undefined): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value ?? "");
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] ?? "s"] ?? 1_000);
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}
