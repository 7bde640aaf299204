import type { Engine } from "../engine/engine.js";
import type { DeployRun, PipelineRecord, PipelineView, Store } from "../engine/ports.js";
import type { CommentsPort, RepoRef } from "../github/comments.js";
import {
  createDeployment,
  setDeploymentStatus,
  type DeploymentsPort,
} from "../github/deployments.js";
import type { ChecksPort } from "../github/ports.js";
import type { JobSpec, Pipeline } from "../pipeline/types.js";
import { RUNNING_STALE_MS, type DeployPlan } from "./gate.js";
import { deploymentPayload } from "./history.js";

/**
 * The effects of an accepted `/deploy` or `/rollback`: the GitHub deployment, its `queued`
 * status, the environment claimed in the store, and a one-job pipeline that runs the
 * environment's `run` command. What happens next is reported by `createDeployReporters`.
 */

/** The installation client the deploy orchestration and its reporter use. */
export type DeployOctokit = CommentsPort & {
  readonly rest: {
    readonly repos: DeploymentsPort;
    readonly checks: Pick<ChecksPort, "create" | "update">;
  };
};

/** Job bookkeeping keys of the deploy check run. */
export const DEPLOY_EXTERNAL = { id: "deployCheckRunId", url: "deployCheckRunUrl" } as const;
export const DEPLOY_JOB_KEY = "deploy";

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

/** The deploy pipeline: one job, in a fresh workspace of the plan's commit, installing nothing. */
export function deployPipeline(input: {
  readonly plan: DeployPlan;
  readonly deploymentId: number;
  readonly python: string;
  readonly timeoutMs: number;
}): Pipeline {
  const { plan } = input;
  const job: JobSpec = {
    key: DEPLOY_JOB_KEY,
    name: `deploy (${plan.env})`,
    kind: "deploy",
    leg: { python: input.python, os: "linux", extra: {} },
    needs: [],
    install: [],
    systemSitePackages: false,
    steps: [
      { kind: "deploy", run: plan.run, environment: plan.env, deploymentId: input.deploymentId },
    ],
    timeoutMs: input.timeoutMs,
    matrix: false,
  };
  return { jobs: [job], failFast: false, warnings: [] };
}

/** Where a deploy's log is: Pylot's own page when it has a public URL, else the check run. */
export function deployLogUrl(
  publicUrl: string | undefined,
  view: PipelineView,
): string | undefined {
  const base = publicUrl?.replace(/\/+$/, "");
  if (base !== undefined) {
    return `${base}/pipelines/${encodeURIComponent(view.pipeline.id)}/jobs/${DEPLOY_JOB_KEY}`;
  }
  return view.jobs[0]?.external[DEPLOY_EXTERNAL.url];
}

export interface DeployRequest {
  readonly at: RepoRef & { readonly installationId: number };
  readonly plan: DeployPlan;
  readonly commentId: number;
  readonly actor: string;
  /** The command as Pylot understood it ("/deploy staging --force"), for the payload. */
  readonly command: string;
  readonly environmentUrl?: string | undefined;
  readonly python: string;
  readonly timeoutMs: number;
  /** The environment's secrets, for its job only. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Values to mask in what the bot writes. */
  readonly redactions: readonly string[];
  readonly now: Date;
}

export interface DeployDeps {
  readonly octokit: DeployOctokit;
  readonly store: Pick<Store, "startDeployRun" | "finishDeployRun" | "saveDeployments">;
  readonly engine: Pick<Engine, "start">;
  readonly publicUrl: string | undefined;
}

export type DeployStart =
  | {
      readonly kind: "started";
      readonly deploymentId: number;
      readonly pipelineId: string;
      readonly logUrl: string | undefined;
    }
  /** Another deployment of the environment claimed it between the gate and the claim. */
  | { readonly kind: "busy"; readonly deploymentId: number };

export async function startDeploy(deps: DeployDeps, request: DeployRequest): Promise<DeployStart> {
  const { octokit, store } = deps;
  const { plan, at, redactions } = request;
  const repo = `${at.owner}/${at.repo}`;
  const rollbackFrom = plan.rollback?.from.id;
  const payload = deploymentPayload({
    actor: request.actor,
    pr: plan.pr,
    command: request.command,
    ...(rollbackFrom === undefined ? {} : { rollbackFrom }),
  });
  const repos = octokit.rest.repos;
  const created = await createDeployment({ repos, at, plan, payload, secrets: redactions });
  const status = (state: "queued" | "error", description: string) =>
    setDeploymentStatus({
      repos,
      at,
      deploymentId: created.id,
      state,
      description,
      secrets: redactions,
    });
  await status("queued", `Queued by ${request.actor}`);
  const run: DeployRun = {
    repo,
    deploymentId: created.id,
    installationId: at.installationId,
    pr: plan.pr,
    commentId: request.commentId,
    actor: request.actor,
    plan,
    ...(request.environmentUrl === undefined ? {} : { environmentUrl: request.environmentUrl }),
    createdAt: request.now.toISOString(),
  };
  const staleBefore = new Date(request.now.getTime() - RUNNING_STALE_MS).toISOString();
  if (!(await store.startDeployRun(run, { staleBefore }))) {
    await status("error", `Another deployment of ${plan.env} started first`);
    await store.saveDeployments(repo, [{ ...created, state: "error" }]);
    return { kind: "busy", deploymentId: created.id };
  }
  await store.saveDeployments(repo, [{ ...created, state: "queued" }]);
  try {
    const view = await deps.engine.start({
      trigger: {
        source: "github",
        event: "deploy",
        sha: plan.sha,
        ref: plan.rollback === undefined ? `refs/pull/${plan.pr}/head` : plan.sha,
        repo,
        installationId: at.installationId,
      },
      plan: deployPipeline({ ...request, deploymentId: created.id }),
      source: { kind: "github", repo, sha: plan.sha, installationId: at.installationId },
      secrets: request.secrets,
    });
    const logUrl = deployLogUrl(deps.publicUrl, view);
    return { kind: "started", deploymentId: created.id, pipelineId: view.pipeline.id, logUrl };
  } catch (error) {
    await status("error", "Pylot could not start the deploy job");
    await store.finishDeployRun(repo, created.id, new Date().toISOString());
    throw error;
  }
}
