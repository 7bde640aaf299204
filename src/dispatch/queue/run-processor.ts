import { rm } from "node:fs/promises";
import { join } from "node:path";
import { DelayedError, UnrecoverableError, WaitingError, type Job, type Processor } from "bullmq";
import type { Logger } from "pino";
import type { DispatchRequest, JobExecutor } from "../../engine/ports.js";
import { INTERRUPTED_DEPLOY } from "../../engine/results.js";
import type { JobResult } from "../../pipeline/types.js";
import { safeSegment } from "../../runner/workspace.js";
import { receiveInputs, sendArtifacts } from "./blob-transfer.js";
import type { BlobStore } from "./blobs.js";
import { decodeRunJob, failureResult, type RunReturn } from "./messages.js";
import { postMessage, type ResultsQueue } from "./results.js";
import type { SlotGate } from "./slot-gate.js";

/** Why a running job's signal was aborted (`signal.reason`). */
export const ABORT = {
  /** A bot replica cancelled the job: its processes are killed, the result is moot. */
  cancel: "cancel",
  /** The runner is shutting down past its grace period: the job goes back to the queue. */
  shutdown: "shutdown",
  /** The lock expired and BullMQ gave the job to another runner: this copy stops. */
  lockLost: "lock-lost",
} as const;

/** BullMQ ids cancelled recently, for a cancel that lands before its job's processor starts. */
export class RecentIds {
  readonly #ttlMs: number;
  readonly #ids = new Map<string, number>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  add(id: string): void {
    const now = Date.now();
    for (const [old, until] of this.#ids) if (until < now) this.#ids.delete(old);
    this.#ids.set(id, now + this.#ttlMs);
  }

  has(id: string): boolean {
    return (this.#ids.get(id) ?? 0) >= Date.now();
  }
}

export interface RunProcessorOptions {
  readonly executor: JobExecutor;
  readonly results: ResultsQueue;
  readonly gate: SlotGate;
  readonly cancelled: RecentIds;
  /** The runner's name, carried by its messages. */
  readonly runner: string;
  readonly logger: Logger;
  /** How long a job fetched without a free slot waits before it is offered again. */
  readonly bounceDelayMs: number;
  /** Files crossing Redis: a job's inputs come in, what it built goes out. */
  readonly blobs: BlobStore;
  /** Where a job's inputs are put on this host (one folder per job, removed after it). */
  readonly inputsDir: string;
}

type RunJob = Job<DispatchRequest, RunReturn, "run">;

/** The BullMQ processor of a runner: one run job through the JobExecutor. */
export function runProcessor(
  options: RunProcessorOptions,
): Processor<DispatchRequest, RunReturn, "run"> {
  // Three parameters: BullMQ passes an AbortSignal only to processors that declare one.
  return async (job, token, signal) => {
    if (token === undefined || job.id === undefined) throw new Error("a run job came unlocked");
    if (!options.gate.tryAcquire()) {
      await job.moveToDelayed(Date.now() + options.bounceDelayMs, token);
      throw new DelayedError();
    }
    try {
      return await runJob(options, { job, id: job.id, token, signal });
    } finally {
      options.gate.release();
    }
  };
}

interface Held {
  readonly job: RunJob;
  readonly id: string;
  readonly token: string;
  readonly signal: AbortSignal | undefined;
}

async function runJob(options: RunProcessorOptions, held: Held): Promise<RunReturn> {
  const { job, id, token } = held;
  const decoded = decodeRunJob(job.data);
  if (!decoded.ok) throw new UnrecoverableError(`invalid job data: ${decoded.message}`);
  const request = decoded.value;
  const log = options.logger.child({ job: request.jobId, attempt: request.attempt });
  if (options.cancelled.has(id)) {
    log.info("job cancelled before it started");
    return {
      conclusion: "cancelled",
      summary: "cancelled before it started",
      runner: options.runner,
    };
  }
  // BullMQ starts a job again when its runner died or handed it back mid-run: a deploy may
  // have partly run, so it ends as interrupted instead of deploying a second time unasked.
  if (request.spec.kind === "deploy" && job.attemptsStarted > 1) {
    log.warn("a deploy job started again after its runner stopped: not run twice");
    return interrupted(options, id, request);
  }
  const signal = held.signal ?? new AbortController().signal;
  let started: Promise<void> = Promise.resolve();
  const onStart = () => {
    const at = new Date().toISOString();
    started = postMessage(options.results, id, {
      kind: "started",
      jobId: request.jobId,
      attempt: request.attempt,
      at,
      runner: options.runner,
    }).catch((error: unknown) => {
      log.warn({ err: error }, "could not report the job started");
    });
  };
  log.info("job taken");
  const inputsDir = join(options.inputsDir, safeSegment(id));
  let result: JobResult;
  try {
    result = await execute(options, { request, inputsDir, signal, onStart });
  } finally {
    await rm(inputsDir, { recursive: true, force: true });
  }
  await started;
  // A job that ended on its own just as the grace period ran out keeps its real result.
  if (signal.reason === ABORT.shutdown && result.conclusion === "cancelled") {
    log.info("job handed back to the queue");
    await job.moveToWait(token);
    throw new WaitingError();
  }
  if (signal.reason === ABORT.lockLost)
    throw new Error("this runner lost the job's lock: another runner took it");
  result = await sendArtifacts(options.blobs, result);
  await postMessage(options.results, id, {
    kind: "finished",
    jobId: request.jobId,
    attempt: request.attempt,
    runner: options.runner,
    result,
  });
  // Secrets have no business in a completed job kept for a day.
  await job.updateData({ ...request, secrets: {} });
  log.info({ conclusion: result.conclusion }, "job finished");
  return { conclusion: result.conclusion, summary: result.summary, runner: options.runner };
}

/** Fetches the job's inputs, then runs it; inputs that did not arrive fail it unrun. */
async function execute(
  options: RunProcessorOptions,
  job: {
    readonly request: DispatchRequest;
    readonly inputsDir: string;
    readonly signal: AbortSignal;
    readonly onStart: () => void;
  },
): Promise<JobResult> {
  const { request } = job;
  const fetched = await receiveInputs(options.blobs, job.inputsDir, request);
  if (!fetched.ok) {
    const now = new Date().toISOString();
    const { jobId, attempt } = request;
    return failureResult({ jobId, attempt, summary: fetched.message, now });
  }
  return options.executor.execute(fetched.request, { signal: job.signal, onStart: job.onStart });
}

/** The end of a deploy job started a second time: reported, never run again. */
async function interrupted(
  options: RunProcessorOptions,
  id: string,
  request: DispatchRequest,
): Promise<RunReturn> {
  const at = new Date().toISOString();
  const result: JobResult = {
    jobId: request.jobId,
    attempt: request.attempt,
    conclusion: "cancelled",
    summary: INTERRUPTED_DEPLOY,
    startedAt: at,
    finishedAt: at,
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
  };
  const message = { jobId: request.jobId, attempt: request.attempt, runner: options.runner };
  await postMessage(options.results, id, { kind: "finished", ...message, result });
  return { conclusion: "cancelled", summary: INTERRUPTED_DEPLOY, runner: options.runner };
}
