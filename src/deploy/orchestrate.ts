import type { Engine } from "../engine/engine.js";
import type { HealthCheckConfig } from "../config/schema.js";
import type { DeployOrigin, DeployRun, PipelineRecord, Store } from "../engine/ports.js";
import type { CommentsPort, RepoRef } from "../github/comments.js";
import {
  createDeployment,
  setDeploymentStatus,
  type DeploymentsPort,
} from "../github/deployments.js";
import type { ChecksPort } from "../github/ports.js";
import { RUNNING_STALE_MS, type DeployPlan } from "./gate.js";
import { deploymentPayload, type DeploymentPayload } from "./history.js";
import { describeLock, lockBlocks } from "./locks.js";
import type { DeploymentRecord, EnvLock } from "./types.js";
import { deployLogUrl, deployPipeline, deployRef } from "./deploy-job.js";

/**
 * The effects of an accepted `/deploy` or `/rollback` (or of Pylot's own automatic deploy or
 * rollback): the GitHub deployment, its `queued` status, the environment claimed in the store,
 * and a one-job pipeline that runs the environment's `run` command. What happens next is reported by `createDeployReporters`.
 */

export {
  DEPLOY_EXTERNAL,
  DEPLOY_JOB_KEY,
  deployLogUrl,
  deployPipeline,
  deployRef,
} from "./deploy-job.js";

/** The installation client the deploy orchestration and its reporter use. */
export type DeployOctokit = CommentsPort & {
  readonly rest: {
    readonly repos: DeploymentsPort;
    readonly checks: Pick<ChecksPort, "create" | "update">;
  };
};

/** The `actor` of deployments Pylot makes by itself (automatic deploys and rollbacks). */
export const PYLOT_ACTOR = "pylot";

export function isDeployPipeline(pipeline: Pick<PipelineRecord, "trigger">): boolean {
  return pipeline.trigger.event === "deploy";
}

/** Every deploy secret the bot holds: whatever it writes is masked with all of them. */
export function deploySecretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([key]) => key.startsWith("PYLOT_ENV_"))
    .map(([, value]) => value)
    .filter((value): value is string => value !== undefined && value !== "");
}

export interface DeployRequest {
  readonly at: RepoRef & { readonly installationId: number };
  readonly plan: DeployPlan;
  readonly origin: DeployOrigin;
  readonly actor: string;
  /** The command as Pylot understood it ("/deploy staging --force"), for the payload. */
  readonly command?: string;
  readonly environmentUrl?: string | undefined;
  readonly health?: HealthCheckConfig | undefined;
  readonly python: string;
  readonly timeoutMs: number;
  /** The environment's secrets, for its job only. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Values to mask in what the bot writes. */
  readonly redactions: readonly string[];
  readonly now: Date;
  /**
   * Claimed in the store before anything is created: a second start with the same key (another
   * replica, a replayed pipeline) creates nothing. Released when no deployment was created.
   */
  readonly once?: string;
}

export interface DeployDeps {
  readonly octokit: DeployOctokit;
  readonly store: Pick<
    Store,
    | "startDeployRun"
    | "finishDeployRun"
    | "saveDeployments"
    | "getLock"
    | "recordDelivery"
    | "forgetDelivery"
  >;
  readonly engine: Pick<Engine, "start">;
  readonly publicUrl: string | undefined;
  /** `PYLOT_BADGE_SECRET`: signs the log links of private repositories. */
  readonly badgeSecret?: string | undefined;
}

export type DeployStart =
  | {
      readonly kind: "started";
      readonly deploymentId: number;
      readonly pipelineId: string;
      readonly logUrl: string | undefined;
    }
  /** Another deployment of the environment claimed it between the gate and the claim. */
  | { readonly kind: "busy"; readonly deploymentId: number }
  /**
   * Another pull request locked the environment after the gate: before the deployment was
   * created (no `deploymentId`), or between its creation and the claim (marked `error`).
   */
  | { readonly kind: "locked"; readonly lock: EnvLock; readonly deploymentId?: number }
  /** The `once` key was claimed already: someone else started (or starts) this deployment. */
  | { readonly kind: "duplicate" };

/** What the GitHub deployment's payload says about who asked, and why. */
function payloadOf(request: DeployRequest): DeploymentPayload {
  const { origin, plan } = request;
  const rollbackFrom = plan.rollback?.from.id;
  return deploymentPayload({
    actor: request.actor,
    ...(plan.pr === undefined ? {} : { pr: plan.pr }),
    ...(request.command === undefined ? {} : { command: request.command }),
    ...(origin.kind === "push" ? { trigger: "auto", branch: origin.branch } : {}),
    ...(origin.kind === "health-check" ? { trigger: "auto-rollback" } : {}),
    ...(rollbackFrom === undefined ? {} : { rollbackFrom }),
    ...(plan.artifacts === undefined
      ? {}
      : { artifacts: plan.artifacts.map(({ name, sha256, size }) => ({ name, sha256, size })) }),
    ...(plan.image === undefined ? {} : { image: plan.image }),
  });
}

export async function startDeploy(deps: DeployDeps, request: DeployRequest): Promise<DeployStart> {
  const { store } = deps;
  const { plan, at } = request;
  const repo = `${at.owner}/${at.repo}`;
  if (request.once !== undefined && !(await store.recordDelivery(request.once, "deploy")))
    return { kind: "duplicate" };
  let created: DeploymentRecord;
  try {
    // The gate read the lock a while ago: a /lock since then stops us before anything exists.
    const lock = await store.getLock(repo, plan.env);
    if (lockBlocks(lock, plan.pr)) {
      if (request.once !== undefined) await store.forgetDelivery(request.once);
      return { kind: "locked", lock };
    }
    const repos = deps.octokit.rest.repos;
    const secrets = request.redactions;
    created = await createDeployment({ repos, at, plan, payload: payloadOf(request), secrets });
  } catch (error) {
    if (request.once !== undefined) await store.forgetDelivery(request.once);
    throw error;
  }
  return claimAndRun(deps, request, created);
}

async function claimAndRun(
  deps: DeployDeps,
  request: DeployRequest,
  created: DeploymentRecord,
): Promise<DeployStart> {
  const { store } = deps;
  const { plan, at } = request;
  const repo = `${at.owner}/${at.repo}`;
  const status = (state: "queued" | "error", description: string) =>
    setDeploymentStatus({
      repos: deps.octokit.rest.repos,
      at,
      deploymentId: created.id,
      state,
      description,
      secrets: request.redactions,
    });
  await status("queued", queuedBy(request));
  const run: DeployRun = {
    repo,
    deploymentId: created.id,
    installationId: at.installationId,
    origin: request.origin,
    actor: request.actor,
    plan,
    ...(request.environmentUrl === undefined ? {} : { environmentUrl: request.environmentUrl }),
    ...(request.health === undefined ? {} : { health: request.health }),
    createdAt: request.now.toISOString(),
  };
  const staleBefore = new Date(request.now.getTime() - RUNNING_STALE_MS).toISOString();
  if (!(await store.startDeployRun(run, { staleBefore }))) {
    const lock = await store.getLock(repo, plan.env);
    const locked = lockBlocks(lock, plan.pr);
    await status(
      "error",
      locked ? describeLock(lock) : `Another deployment of ${plan.env} started first`,
    );
    await store.saveDeployments(repo, [{ ...created, state: "error" }]);
    return locked
      ? { kind: "locked", lock, deploymentId: created.id }
      : { kind: "busy", deploymentId: created.id };
  }
  await store.saveDeployments(repo, [{ ...created, state: "queued" }]);
  return runDeployJob(deps, request, { created, status });
}

/** The deploy pipeline of a claimed deployment; a failure to start it frees the environment. */
async function runDeployJob(
  deps: DeployDeps,
  request: DeployRequest,
  claimed: {
    readonly created: DeploymentRecord;
    readonly status: (state: "queued" | "error", description: string) => Promise<void>;
  },
): Promise<DeployStart> {
  const { plan, at } = request;
  const { created, status } = claimed;
  const repo = `${at.owner}/${at.repo}`;
  try {
    const view = await deps.engine.start({
      trigger: {
        source: "github",
        event: "deploy",
        sha: plan.sha,
        ref: deployRef(plan, request.origin),
        repo,
        installationId: at.installationId,
      },
      plan: deployPipeline({ ...request, deploymentId: created.id }),
      source: { kind: "github", repo, sha: plan.sha, installationId: at.installationId },
      secrets: request.secrets,
    });
    const logUrl = deployLogUrl({ publicUrl: deps.publicUrl, secret: deps.badgeSecret }, view);
    return { kind: "started", deploymentId: created.id, pipelineId: view.pipeline.id, logUrl };
  } catch (error) {
    await status("error", "Pylot could not start the deploy job");
    await deps.store.finishDeployRun(repo, created.id, new Date().toISOString());
    throw error;
  }
}

/** The `queued` status: who asked, or why Pylot deploys by itself. */
function queuedBy(request: DeployRequest): string {
  switch (request.origin.kind) {
    case "comment":
      return `Queued by ${request.actor}`;
    case "push":
      return `Queued: green pipeline on ${request.origin.branch}`;
    case "health-check":
      return `Queued: deployment ${request.origin.failedDeploymentId} failed its health check`;
  }
}
