import type { DeployPlan } from "../deploy/gate.js";
import type { DeploymentRecord, EnvLock } from "../deploy/types.js";
import type {
  Artifact,
  Conclusion,
  JobResult,
  JobSpec,
  Pipeline,
  Trigger,
} from "../pipeline/types.js";

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

/** What webhooks said about a repository, for badges: who may see them, and how to ask GitHub. */
export interface RepositoryRecord {
  /** "owner/name" as GitHub spells it; looked up case-insensitively, as GitHub does. */
  readonly fullName: string;
  readonly private: boolean;
  /** Null when the payload named none; an upsert keeps the known one. */
  readonly installationId: number | null;
  /** Null when the payload named none (installation events); an upsert keeps the known one. */
  readonly defaultBranch: string | null;
  readonly updatedAt: string;
}

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
  /**
   * The newest pipeline (by creation) of a repository's ref, such as `refs/heads/main`;
   * `completedOnly` skips running ones (badges show the last finished pipeline).
   */
  latestPipeline(filter: {
    readonly repo: string;
    readonly ref: string;
    readonly completedOnly: boolean;
  }): Promise<PipelineRecord | undefined>;
  /** Inserts or updates a repository; null fields keep what was known. */
  recordRepository(record: RepositoryRecord): Promise<void>;
  /** A repository by "owner/name", case-insensitively. */
  getRepository(fullName: string): Promise<RepositoryRecord | undefined>;
  /** One cheap round trip to the database; rejects when it cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** What builds produced, by repository, commit and file name (issue 10). */
  readonly artifacts: ArtifactIndex;

  // ChatOps (issue 5). Every decision that two replicas could race on is one statement.

  /** The lock on a repository's environment, if any. */
  getLock(repo: string, env: string): Promise<EnvLock | undefined>;
  /** Every lock of a repository, by environment name. */
  listLocks(repo: string): Promise<EnvLock[]>;
  /** Conditional insert: true when this call took the lock, false when anyone holds it. */
  acquireLock(repo: string, lock: EnvLock): Promise<boolean>;
  /** Compare-and-set delete of exactly this lock (same PR and `since`); false when it changed. */
  releaseLock(repo: string, lock: EnvLock): Promise<boolean>;
  /** Mirrors deployments read from GitHub (or made by Pylot): inserted, or their state updated. */
  saveDeployments(repo: string, records: readonly DeploymentRecord[]): Promise<void>;
  /** Mirrored deployments of a repository (one environment when given), newest first. */
  listDeployments(repo: string, environment?: string): Promise<DeploymentRecord[]>;
  /**
   * Claims the environment for a deployment Pylot started: false when another unfinished run
   * of the same environment, started after `staleBefore`, holds it (one deployment at a time),
   * or when a lock of another pull request than `run.plan.pr` holds it (any lock, for a run of
   * no pull request). Lock and claim are checked in the same statement.
   */
  startDeployRun(run: DeployRun, options: { readonly staleBefore: string }): Promise<boolean>;
  getDeployRun(repo: string, deploymentId: number): Promise<DeployRun | undefined>;
  /** Frees the environment; the run stays readable. */
  finishDeployRun(repo: string, deploymentId: number, at: string): Promise<void>;
  /** Unfinished deploy runs (environments still claimed), oldest first: a restart ends them. */
  listOpenDeployRuns(): Promise<OpenDeployRun[]>;
  /**
   * Compare-and-set: takes or renews the claim to finish a deployment (its health check, final
   * status and reply); false while another holder's claim has not lapsed, or, with `openOnly`,
   * once the run is finished. Two replicas never both hold it.
   */
  claimDeployFinish(repo: string, deploymentId: number, claim: DeployFinishClaim): Promise<boolean>;
  /** Records an `/ok-to-test`; a second approval of the same commit keeps the first. */
  recordApproval(approval: TestApproval): Promise<void>;
  findApproval(repo: string, pr: number, sha: string): Promise<TestApproval | undefined>;
}

/** What started a deployment, and so where its outcome is told. */
export type DeployOrigin =
  /** `/deploy` or `/rollback` on a pull request: replies go there, the final reaction on it. */
  | { readonly kind: "comment"; readonly pr: number; readonly commentId: number }
  /** `deploy.<env>.auto`: a green pipeline of a push to `branch`; no pull request to answer. */
  | { readonly kind: "push"; readonly branch: string }
  /** Pylot's own rollback of a deployment whose health check failed (told on its PR, if any). */
  | { readonly kind: "health-check"; readonly failedDeploymentId: number; readonly pr?: number };

/** A deployment Pylot started: what its deploy pipeline reports to. */
export interface DeployRun {
  /** "owner/name". */
  readonly repo: string;
  readonly deploymentId: number;
  readonly installationId: number;
  readonly origin: DeployOrigin;
  readonly actor: string;
  readonly plan: DeployPlan;
  /** `deploy.<env>.url` of the default branch's config. */
  readonly environmentUrl?: string;
  /** `deploy.<env>.health` of the default branch's config: checked once the job succeeded. */
  readonly health?: { readonly url: string; readonly timeout: number };
  /** ISO 8601. */
  readonly createdAt: string;
}

/** An unfinished deploy run, with the deploy pipeline it started and who is finishing it. */
export interface OpenDeployRun {
  readonly run: DeployRun;
  /** Absent when no deploy pipeline was started (the bot stopped between claim and start). */
  readonly pipelineId?: string;
  /** ISO 8601: when the current claim to finish it lapses; absent when never claimed. */
  readonly claimedUntil?: string;
}

/** A claim to finish a deployment, held by one process at a time and renewed while it works. */
export interface DeployFinishClaim {
  /** The claiming process's own id: its claim may be renewed by it. */
  readonly holder: string;
  /** ISO 8601: claims that lapsed before this are free. */
  readonly now: string;
  /** ISO 8601: when this claim lapses unless renewed. */
  readonly until: string;
  /** Claim only an unfinished run (a recovery after a restart). */
  readonly openOnly: boolean;
}

/** A writer's `/ok-to-test`: a fork's pull request may run its jobs, for this commit only. */
export interface TestApproval {
  readonly repo: string;
  readonly pr: number;
  readonly sha: string;
  readonly actor: string;
  /** ISO 8601. */
  readonly approvedAt: string;
}

/** A build's file kept by the engine: its bytes are the file store's file of `sha256`. */
export interface ArtifactRecord extends Artifact {
  /** "owner/name". */
  readonly repo: string;
  /** The commit it was built from. */
  readonly sha: string;
  /** The job that built it (`${pipelineId}:${key}`). */
  readonly job: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601: after this it is neither listed nor served, and the sweep deletes it. */
  readonly expiresAt: string;
}

/** The artifacts table. One row per repository, commit and name: a rebuild replaces it. */
export interface ArtifactIndex {
  saveArtifacts(records: readonly ArtifactRecord[]): Promise<void>;
  /** The commit's artifacts not expired at `now`, by name. */
  listArtifacts(repo: string, sha: string, now: string): Promise<ArtifactRecord[]>;
  /** Deletes rows expired at `now`; returns how many. */
  deleteExpiredArtifacts(now: string): Promise<number>;
  /** Every digest some row still names (the sweep keeps their files). */
  referencedDigests(): Promise<Set<string>>;
}

/**
 * Keeps what builds produce beyond their runner's workspace (src/artifacts). Called before a
 * runner's result with artifacts is applied; returns the result to apply, whose `dist/<name>`
 * reports then name the kept copies, or a failure saying why they could not be kept.
 */
export interface ArtifactHook {
  keep(pipeline: PipelineRecord, result: JobResult): Promise<JobResult>;
  /** Where the kept file of a digest is on this host (a deploy job's inputs); it may be gone. */
  pathOf(sha256: string): string;
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
  /** What the jobs this one `needs` produced, when they built anything. */
  readonly inputs?: JobInputs;
}

/**
 * Files of earlier jobs a job consumes (an integration job installs the build's wheel). Paths
 * are the engine's kept copies (the App), or where the producing runner left them (the CLI);
 * valid on the engine's host: the queue copies them to the runner that needs them.
 */
export interface JobInputs {
  readonly artifacts: readonly (Artifact & { readonly path: string; readonly job: string })[];
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
