import type { Logger } from "pino";
import { renderDeployFinished } from "../chatops/replies.js";
import { code, commit } from "../chatops/text.js";
import type {
  DeployRun,
  JobRecord,
  PipelineRecord,
  PipelineView,
  Reporter,
  Store,
} from "../engine/ports.js";
import { react, replyTo, type RepoRef } from "../github/comments.js";
import { createDeployCheck, updateDeployCheck, type DeployCheck } from "../github/deploy-check.js";
import { setDeploymentStatus, type StatusState } from "../github/deployments.js";
import type { Conclusion } from "../pipeline/types.js";
import {
  DEPLOY_EXTERNAL,
  deployLogUrl,
  deploySecretValues,
  type DeployOctokit,
} from "./orchestrate.js";

export interface DeployReportersOptions {
  readonly octokitFor: (installationId: number) => Promise<DeployOctokit>;
  readonly store: Pick<
    Store,
    "getDeployRun" | "saveDeployments" | "finishDeployRun" | "setJobExternal"
  >;
  readonly publicUrl: string | undefined;
  /** The bot's environment: its `PYLOT_ENV_*` values are masked in everything written. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

/** What one report about a deploy pipeline works with. */
interface Scene {
  readonly run: DeployRun;
  readonly job: JobRecord;
  readonly octokit: DeployOctokit;
  readonly at: RepoRef;
  readonly secrets: readonly string[];
  readonly logUrl: string | undefined;
}

/** The deployment state a finished deploy job leaves. */
export function deploymentState(conclusion: Conclusion | null): "success" | "failure" | "error" {
  if (conclusion === "success") return "success";
  if (conclusion === "failure" || conclusion === "timed_out") return "failure";
  return "error";
}

/**
 * Shows deploy pipelines on GitHub: the `Pylot / deploy (<env>)` check run, the deployment's
 * statuses (`in_progress` when a runner takes the job, then `success`, `failure` or `error`
 * with the log and environment URLs), the final reply on the pull request and the command's
 * rocket or confused reaction. A rollback that succeeded marks the deployment it replaced
 * `inactive`.
 */
export function createDeployReporters(options: DeployReportersOptions): {
  reporterFor(pipeline: PipelineRecord): Reporter;
} {
  const log = options.logger.child({ name: "deploy-reporter" });
  const secrets = deploySecretValues(options.env);
  const scene = async (view: PipelineView, job?: JobRecord): Promise<Scene | undefined> => {
    const current = job ?? view.jobs[0];
    const step = current?.spec.steps.find((s) => s.kind === "deploy");
    const repo = view.pipeline.trigger.repo;
    if (current === undefined || step?.kind !== "deploy" || repo === undefined) return undefined;
    const run = await options.store.getDeployRun(repo, step.deploymentId);
    if (run === undefined) {
      log.warn({ pipeline: view.pipeline.id, deployment: step.deploymentId }, "unknown deploy");
      return undefined;
    }
    const [owner = "", name = ""] = repo.split("/");
    const octokit = await options.octokitFor(run.installationId);
    const logUrl = deployLogUrl(options.publicUrl, { ...view, jobs: [current] });
    return { run, job: current, octokit, at: { owner, repo: name }, secrets, logUrl };
  };
  return {
    reporterFor: () => ({
      async pipelineCreated(view) {
        const s = await scene(view);
        if (s !== undefined) await created(s, options.store);
      },
      async jobChanged(view, job) {
        const s = await scene(view, job);
        if (s !== undefined) await changed(s);
      },
      async pipelineCompleted(view) {
        const s = await scene(view);
        if (s !== undefined) await completed(s, view, { store: options.store, log });
      },
    }),
  };
}

function check(s: Scene, fields: Pick<DeployCheck, "status" | "title"> & Partial<DeployCheck>) {
  const { plan, deploymentId } = s.run;
  const rollback =
    plan.rollback === undefined
      ? ""
      : `, rolling back from deployment ${plan.rollback.from.id} (${commit(plan.rollback.from.sha)})`;
  return {
    name: `Pylot / ${s.job.spec.name}`,
    headSha: plan.sha,
    deploymentId,
    detailsUrl: s.logUrl,
    summary: `Deployment ${deploymentId} of ${commit(plan.sha)} to ${code(plan.env)} for PR #${plan.pr}, asked by ${code(s.run.actor)}${rollback}.`,
    ...fields,
  };
}

async function created(s: Scene, store: DeployReportersOptions["store"]): Promise<void> {
  const made = await createDeployCheck({
    checks: s.octokit.rest.checks,
    at: s.at,
    check: check(s, { status: "queued", title: "Queued" }),
    secrets: s.secrets,
  });
  await store.setJobExternal(s.job.id, {
    [DEPLOY_EXTERNAL.id]: String(made.id),
    ...(made.htmlUrl === undefined ? {} : { [DEPLOY_EXTERNAL.url]: made.htmlUrl }),
  });
}

async function changed(s: Scene): Promise<void> {
  const { job } = s;
  const checkRunId = Number(job.external[DEPLOY_EXTERNAL.id]);
  const update = async (desired: DeployCheck) => {
    if (!(checkRunId > 0)) return;
    const at = s.at;
    await updateDeployCheck({
      checks: s.octokit.rest.checks,
      at,
      checkRunId,
      check: desired,
      secrets: s.secrets,
    });
  };
  if (job.state === "in_progress") {
    await update(
      check(s, {
        status: "in_progress",
        title: "Deploying",
        startedAt: job.startedAt ?? undefined,
      }),
    );
    await status(s, "in_progress", `Running the deploy command of ${s.run.plan.env}`);
    return;
  }
  if (job.state !== "completed") return;
  await update(
    check(s, {
      status: "completed",
      conclusion: job.conclusion ?? "neutral",
      title: job.result?.summary ?? job.conclusion ?? "completed",
      startedAt: job.startedAt ?? undefined,
      completedAt: job.finishedAt ?? undefined,
      log: job.result?.logTail,
    }),
  );
}

function status(s: Scene, state: StatusState, description: string): Promise<void> {
  return setDeploymentStatus({
    repos: s.octokit.rest.repos,
    at: s.at,
    deploymentId: s.run.deploymentId,
    state,
    description,
    logUrl: s.logUrl,
    environmentUrl: state === "success" ? s.run.environmentUrl : undefined,
    secrets: s.secrets,
  });
}

/**
 * The end of a deployment. Each write is tried on its own: a status GitHub refused must not
 * keep the environment claimed, nor the pull request without an answer.
 */
async function completed(
  s: Scene,
  view: PipelineView,
  deps: { readonly store: DeployReportersOptions["store"]; readonly log: Logger },
): Promise<void> {
  const { run } = s;
  const { plan } = run;
  const state = deploymentState(view.pipeline.conclusion);
  const attempt = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      deps.log.error({ err: error, deployment: run.deploymentId, what }, "deploy report failed");
    }
  };
  const summary = s.job.result?.summary ?? state;
  await attempt("status", () => status(s, state, summary));
  const from = plan.rollback?.from;
  if (state === "success" && from !== undefined)
    await attempt("inactive", () =>
      setDeploymentStatus({
        repos: s.octokit.rest.repos,
        at: s.at,
        deploymentId: from.id,
        state: "inactive",
        description: `Rolled back by deployment ${run.deploymentId}`,
        secrets: s.secrets,
      }),
    );
  await attempt("mirror", () =>
    deps.store.saveDeployments(run.repo, [
      { ...mirrored(run), state },
      ...(state === "success" && from !== undefined
        ? [{ ...from, state: "inactive" as const }]
        : []),
    ]),
  );
  const finishedAt = s.job.finishedAt ?? view.pipeline.updatedAt;
  await attempt("finish", () => deps.store.finishDeployRun(run.repo, run.deploymentId, finishedAt));
  const body = renderDeployFinished({
    plan,
    deploymentId: run.deploymentId,
    state,
    logUrl: s.logUrl,
    environmentUrl: run.environmentUrl,
  });
  await attempt("reply", () =>
    replyTo({ octokit: s.octokit, at: s.at, issue: run.pr, body, secrets: s.secrets }),
  );
  const content = state === "success" ? "rocket" : "confused";
  await react({
    octokit: s.octokit,
    at: s.at,
    commentId: run.commentId,
    content,
    logger: deps.log,
  });
}

function mirrored(run: DeployRun) {
  const { plan } = run;
  return {
    id: run.deploymentId,
    sha: plan.sha,
    environment: plan.env,
    createdAt: run.createdAt,
    creator: "",
    task: plan.task,
    actor: run.actor,
    pr: run.pr,
    ...(plan.rollback === undefined ? {} : { rollbackFrom: plan.rollback.from.id }),
  };
}
