import type { Logger } from "pino";
import {
  renderDeployFinished,
  renderUnhealthy,
  type RollbackAfterHealth,
} from "../chatops/replies.js";
import type { Engine } from "../engine/engine.js";
import type { PipelineView } from "../engine/ports.js";
import { react, replyTo } from "../github/comments.js";
import { setDeploymentStatus } from "../github/deployments.js";
import type { Conclusion } from "../pipeline/types.js";
import { recordOf, rollBackUnhealthy, type AutoRollbackDeps } from "./auto-rollback.js";
import {
  deployCheck,
  deployStatus,
  pullRequestOf,
  updateCheck,
  type Scene,
} from "./deploy-scene.js";
import { checkHealth, type HealthVerdict } from "./health.js";

export interface FinishDeps {
  readonly store: AutoRollbackDeps["store"];
  readonly engine: Pick<Engine, "start">;
  readonly publicUrl: string | undefined;
  readonly badgeSecret: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly now: () => Date;
}

/** The deployment state a finished deploy job leaves. */
export function deploymentState(conclusion: Conclusion | null): "success" | "failure" | "error" {
  if (conclusion === "success") return "success";
  if (conclusion === "failure" || conclusion === "timed_out") return "failure";
  return "error";
}

type Attempt = (what: string, write: () => Promise<unknown>) => Promise<void>;

/**
 * The end of a deployment: its health check when it has one, the final status, the mirror, the
 * environment freed, an automatic rollback when it is unhealthy, then the reply and reaction.
 * Each write is tried on its own: a status GitHub refused must not keep the environment
 * claimed, nor the pull request without an answer.
 */
export async function finishDeploy(s: Scene, view: PipelineView, deps: FinishDeps): Promise<void> {
  const { run } = s;
  const { plan } = run;
  const attempt: Attempt = async (what, write) => {
    try {
      await write();
    } catch (error) {
      deps.log.error({ err: error, deployment: run.deploymentId, what }, "deploy report failed");
    }
  };
  const ran = deploymentState(view.pipeline.conclusion);
  const health = ran === "success" ? await probe(s, attempt) : undefined;
  const state = health?.healthy === false ? "failure" : ran;
  const summary = s.job.result?.summary ?? state;
  const description =
    health === undefined
      ? summary
      : health.healthy
        ? `${summary}; healthy (HTTP ${health.status})`
        : `Health check failed: ${health.reason}`;
  await attempt("status", () => deployStatus(s, state, description));
  const from = plan.rollback?.from;
  // Only a live deployment is replaced; one that failed its health check stays `failure`.
  const replaced = state === "success" && from?.state === "success" ? from : undefined;
  if (replaced !== undefined)
    await attempt("inactive", () =>
      setDeploymentStatus({
        repos: s.octokit.rest.repos,
        at: s.at,
        deploymentId: replaced.id,
        state: "inactive",
        description: `Rolled back by deployment ${run.deploymentId}`,
        secrets: s.secrets,
      }),
    );
  await attempt("mirror", () =>
    deps.store.saveDeployments(run.repo, [
      recordOf(run, state),
      ...(replaced === undefined ? [] : [{ ...replaced, state: "inactive" as const }]),
    ]),
  );
  const finishedAt = s.job.finishedAt ?? view.pipeline.updatedAt;
  await attempt("finish", () => deps.store.finishDeployRun(run.repo, run.deploymentId, finishedAt));
  const rollback = health?.healthy === false ? await rollBack(s, deps) : undefined;
  await tell(s, { state, health, rollback, attempt, log: deps.log });
}

/** Polls the health URL, showing it on the deployment and the check run. */
async function probe(s: Scene, attempt: Attempt): Promise<HealthVerdict | undefined> {
  const { health } = s.run;
  if (health === undefined) return undefined;
  await attempt("status", () => deployStatus(s, "in_progress", `Checking health: ${health.url}`));
  const verdict = await checkHealth({ url: health.url, timeoutMs: health.timeout * 1000 });
  const { job } = s;
  await attempt("check", () =>
    updateCheck(
      s,
      deployCheck(s, {
        status: "completed",
        conclusion: verdict.healthy ? "success" : "failure",
        title: verdict.healthy
          ? `Deployed; healthy (HTTP ${verdict.status})`
          : `Unhealthy: ${verdict.reason}`,
        startedAt: job.startedAt ?? undefined,
        completedAt: new Date().toISOString(),
        log: job.result?.logTail,
      }),
    ),
  );
  return verdict;
}

async function rollBack(s: Scene, deps: FinishDeps): Promise<RollbackAfterHealth> {
  try {
    return await rollBackUnhealthy(
      { ...deps, octokit: s.octokit, now: deps.now() },
      { run: s.run, job: s.job, at: s.at },
    );
  } catch (error) {
    deps.log.error({ err: error, deployment: s.run.deploymentId }, "automatic rollback failed");
    return {
      kind: "not-started",
      message: "Pylot could not start the rollback (the bot's log has the details).",
    };
  }
}

/** The reply on the pull request (none for a branch's automatic deploy) and the reaction. */
async function tell(
  s: Scene,
  outcome: {
    readonly state: "success" | "failure" | "error";
    readonly health: HealthVerdict | undefined;
    readonly rollback: RollbackAfterHealth | undefined;
    readonly attempt: Attempt;
    readonly log: Logger;
  },
): Promise<void> {
  const { run } = s;
  const { health, rollback, state } = outcome;
  const pr = pullRequestOf(run);
  const common = { plan: run.plan, deploymentId: run.deploymentId, logUrl: s.logUrl };
  const body =
    health?.healthy === false && rollback !== undefined && run.health !== undefined
      ? renderUnhealthy({ ...common, url: run.health.url, reason: health.reason, rollback })
      : renderDeployFinished({ ...common, state, environmentUrl: run.environmentUrl });
  if (pr !== undefined)
    await outcome.attempt("reply", () =>
      replyTo({ octokit: s.octokit, at: s.at, issue: pr, body, secrets: s.secrets }),
    );
  if (run.origin.kind !== "comment") return;
  await react({
    octokit: s.octokit,
    at: s.at,
    commentId: run.origin.commentId,
    content: state === "success" ? "rocket" : "confused",
    logger: outcome.log,
  });
}
