import type { Logger } from "pino";
import type { Engine } from "../engine/engine.js";
import type { JobRecord, PipelineRecord, PipelineView, Reporter, Store } from "../engine/ports.js";
import { createDeployCheck } from "../github/deploy-check.js";
import { finishDeploy, type FinishDeps } from "./deploy-finish.js";
import { whileClaimed, type ClaimOutcome } from "./finish-claim.js";
import {
  deployCheck,
  deployStatus,
  updateCheck,
  type DeployReporterOctokit,
  type Scene,
} from "./deploy-scene.js";
import { DEPLOY_EXTERNAL, deployLogUrl, deploySecretValues } from "./orchestrate.js";

export { deploymentState } from "./deploy-finish.js";

export interface DeployReportersOptions {
  readonly octokitFor: (installationId: number) => Promise<DeployReporterOctokit>;
  readonly store: Pick<Store, "getDeployRun" | "setJobExternal" | "claimDeployFinish"> &
    FinishDeps["store"];
  /** Starts an automatic rollback's pipeline. */
  readonly engine: Pick<Engine, "start">;
  readonly publicUrl: string | undefined;
  /** `PYLOT_BADGE_SECRET`, for the log links of private repositories. */
  readonly badgeSecret: string | undefined;
  /** The bot's environment: its `PYLOT_ENV_*` values are masked in everything written. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** How long a finish claim lasts (`PYLOT_DEPLOY_CLAIM_SECONDS`); default FINISH_CLAIM_MS. */
  readonly claimMs?: number | undefined;
}

export interface DeployReporters {
  reporterFor(pipeline: PipelineRecord): Reporter;
  /**
   * Finishes a deploy pipeline that completed before a restart, as its own end would have,
   * unless another process is finishing it or it was finished meanwhile.
   */
  finishInterrupted(view: PipelineView): Promise<FinishOutcome>;
}

/** How finishing went; `unknown-run` when the pipeline names no deploy run of the store. */
export type FinishOutcome = ClaimOutcome | "unknown-run";

/**
 * Shows deploy pipelines on GitHub: the `Pylot / deploy (<env>)` check run, the deployment's
 * statuses (`in_progress` when a runner takes the job, then `success`, `failure` or `error`
 * with the log and environment URLs), the health check and what follows from it, the final
 * reply on the pull request and the command's rocket or confused reaction.
 */
export function createDeployReporters(options: DeployReportersOptions): DeployReporters {
  const log = options.logger.child({ name: "deploy-reporter" });
  const secrets = deploySecretValues(options.env);
  const links = {
    publicUrl: options.publicUrl,
    secret: options.badgeSecret,
  };
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
    const logUrl = deployLogUrl(links, { ...view, jobs: [current] });
    return { run, job: current, octokit, at: { owner, repo: name }, secrets, logUrl };
  };
  const finishing: FinishDeps = {
    store: options.store,
    engine: options.engine,
    publicUrl: options.publicUrl,
    badgeSecret: links.secret,
    env: options.env,
    log,
    now: options.now ?? (() => new Date()),
  };
  const claims = { store: options.store, log, claimMs: options.claimMs };
  const finish = async (view: PipelineView, recovery: boolean): Promise<FinishOutcome> => {
    const s = await scene(view);
    if (s === undefined) return "unknown-run";
    const outcome = await whileClaimed(claims, { run: s.run, recovery }, () =>
      finishDeploy(s, view, finishing),
    );
    if (outcome === "held-elsewhere")
      log.info({ deployment: s.run.deploymentId }, "another process finishes this deployment");
    return outcome;
  };
  return {
    finishInterrupted: (view) => finish(view, true),
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
        await finish(view, false);
      },
    }),
  };
}

async function created(s: Scene, store: DeployReportersOptions["store"]): Promise<void> {
  const made = await createDeployCheck({
    checks: s.octokit.rest.checks,
    at: s.at,
    check: deployCheck(s, { status: "queued", title: "Queued" }),
    secrets: s.secrets,
  });
  await store.setJobExternal(s.job.id, {
    [DEPLOY_EXTERNAL.id]: String(made.id),
    ...(made.htmlUrl === undefined ? {} : { [DEPLOY_EXTERNAL.url]: made.htmlUrl }),
  });
}

async function changed(s: Scene): Promise<void> {
  const { job } = s;
  const startedAt = job.startedAt ?? undefined;
  if (job.state === "in_progress") {
    await updateCheck(s, deployCheck(s, { status: "in_progress", title: "Deploying", startedAt }));
    await deployStatus(s, "in_progress", `Running the deploy command of ${s.run.plan.env}`);
    return;
  }
  if (job.state !== "completed") return;
  // A deployment with a health check is not over when its command is: finishDeploy settles it.
  if (job.conclusion === "success" && s.run.health !== undefined) {
    const title = "Deployed; checking health";
    await updateCheck(s, deployCheck(s, { status: "in_progress", title, startedAt }));
    return;
  }
  await updateCheck(
    s,
    deployCheck(s, {
      status: "completed",
      conclusion: job.conclusion ?? "neutral",
      title: job.result?.summary ?? job.conclusion ?? "completed",
      startedAt,
      completedAt: job.finishedAt ?? undefined,
      log: job.result?.logTail,
    }),
  );
}
