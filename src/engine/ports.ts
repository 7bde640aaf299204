import type { Conclusion, JobResult, JobSpec, Pipeline, Trigger } from "../pipeline/types.js";

/** Where a job's source comes from. Resolved by the runner into a fresh workspace. */
export type SourceRef =
  | { readonly kind: "dir"; readonly path: string }
  | { readonly kind: "tarball"; readonly path: string }
  | {
      readonly kind: "github";
      readonly repo: string;
      readonly sha: string;
      readonly installationId: number;
    };

export type PipelineStatus = "running" | "completed";
/** pending: planned, waiting on needs; queued: handed to a dispatcher. */
export type JobState = "pending" | "queued" | "in_progress" | "completed";

export interface PipelineRecord {
  readonly id: string;
  readonly trigger: Trigger;
  readonly plan: Pipeline;
  readonly source: SourceRef;
  readonly status: PipelineStatus;
  readonly conclusion: Conclusion | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Why the pipeline was cancelled, when it was ("superseded by abc1234"). */
  readonly cancelReason: string | null;
}

export interface JobRecord {
  /** `${pipelineId}:${spec.key}`. */
  readonly id: string;
  readonly pipelineId: string;
  readonly spec: JobSpec;
  readonly state: JobState;
  /** Starts at 1; a retry or re-run increments it. Results of older attempts are ignored. */
  readonly attempt: number;
  readonly conclusion: Conclusion | null;
  readonly result: JobResult | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Reporter bookkeeping, such as the GitHub check run id. */
  readonly external: Readonly<Record<string, string>>;
}

export interface PipelineView {
  readonly pipeline: PipelineRecord;
  readonly jobs: readonly JobRecord[];
}

export type JobPatch = Partial<
  Pick<
    JobRecord,
    "state" | "attempt" | "conclusion" | "result" | "startedAt" | "finishedAt" | "external"
  >
>;
export type PipelinePatch = Partial<
  Pick<PipelineRecord, "status" | "conclusion" | "updatedAt" | "cancelReason">
>;

/** Persistence of pipelines, jobs and webhook deliveries. Adapters: SQLite, PostgreSQL. */
export interface Store {
  /** Stores a pipeline and its jobs atomically. */
  createPipeline(pipeline: PipelineRecord, jobs: readonly JobRecord[]): Promise<void>;
  getPipeline(id: string): Promise<PipelineRecord | undefined>;
  updatePipeline(id: string, patch: PipelinePatch): Promise<void>;
  /** Pipelines still running, oldest first (for resume after a restart). */
  listRunningPipelines(): Promise<PipelineRecord[]>;
  /** Running pipelines of a repository and PR (or ref when no PR), for superseding. */
  findRunningPipelines(filter: {
    repo: string;
    pullRequest?: number;
    ref?: string;
  }): Promise<PipelineRecord[]>;
  /** The newest pipeline of a repo at a SHA, if any. */
  findPipelineBySha(repo: string, sha: string): Promise<PipelineRecord | undefined>;
  getJob(id: string): Promise<JobRecord | undefined>;
  listJobs(pipelineId: string): Promise<JobRecord[]>;
  /**
   * Compare-and-set: applies `patch` only when the job is in one of `from` states with the
   * given attempt. Returns the updated job, or undefined when the condition did not hold (a
   * duplicate or stale result).
   */
  transitionJob(
    id: string,
    expect: { readonly from: readonly JobState[]; readonly attempt: number },
    patch: JobPatch,
  ): Promise<JobRecord | undefined>;
  /** Merges keys into a job's reporter bookkeeping. */
  setJobExternal(id: string, external: Readonly<Record<string, string>>): Promise<void>;
  /** Records a webhook delivery id; false when it was seen before. */
  recordDelivery(id: string, event: string): Promise<boolean>;
  /** Forgets a delivery whose handling failed, so its redelivery is processed. */
  forgetDelivery(id: string): Promise<void>;
  close(): Promise<void>;
}

/** What a runner needs to run one job. Serializable: it may cross a queue. */
export interface DispatchRequest {
  readonly jobId: string;
  readonly attempt: number;
  readonly pipelineId: string;
  readonly spec: JobSpec;
  readonly source: SourceRef;
  readonly sha: string;
  readonly ref: string;
  /** Secret values given to the job's environment and redacted from its log. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** How dispatchers tell the engine about progress. */
export interface DispatchEvents {
  started(jobId: string, attempt: number, at: string): Promise<void>;
  finished(result: JobResult): Promise<void>;
}

export interface Dispatcher {
  enqueue(request: DispatchRequest): Promise<void>;
  /** Stops a queued or running job; a running job's processes are killed. */
  cancel(jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** Runs one job on this host. */
export interface JobExecutor {
  execute(
    request: DispatchRequest,
    options: { readonly signal: AbortSignal; readonly onStart: () => void },
  ): Promise<JobResult>;
}

/** Shows pipeline progress somewhere: a terminal, GitHub check runs. */
export interface Reporter {
  pipelineCreated(view: PipelineView): Promise<void>;
  jobChanged(view: PipelineView, job: JobRecord): Promise<void>;
  pipelineCompleted(view: PipelineView): Promise<void>;
}
