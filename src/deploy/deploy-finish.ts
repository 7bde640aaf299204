import type { Logger } from "pino";
import {
  renderDeployFinished,
  renderUnhealthy,
  type RollbackAfterHealth,
} from "../chatops/replies.js";
import type { Engine } from "../engine/engine.js";
import type { PipelineView, Store } from "../engine/ports.js";
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
import { DEPLOY_EXTERNAL } from "./deploy-job.js";
import { checkHealth, type HealthVerdict } from "./health.js";

export interface FinishDeps {
  readonly store: AutoRollbackDeps["store"] & Pick<Store, "setJobExternal">;
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
 * reply, the environment freed (before the reply when it is unhealthy, for the automatic
 * rollback the reply tells of), then the reaction. Each write is tried on its own: a status
 * GitHub refused must not keep the environment claimed, nor the pull request without an
 * answer. Run again after a restart, it posts no second reply (see `reply`).
 */
export async function finishDeploy(s: Scene, view: PipelineView, deps: FinishDeps): Promise<void> {
  const { run } = s;
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
  await settle(s, { state, description, attempt, store: deps.store });
  const finishedAt = s.job.finishedAt ?? view.pipeline.updatedAt;
  const free = () =>
    attempt("finish", () => deps.store.finishDeployRun(run.repo, run.deploymentId, finishedAt));
  const told = { state, health, attempt, store: deps.store };
  if (health?.healthy === false) {
    // The rollback needs the environment: it is freed first, and the reply tells both.
    await free();
    await reply(s, { ...told, rollback: await rollBack(s, deps) });
  } else {
    // Freed after the reply: a restart before this point still finds the run open, and ends it.
    await reply(s, { ...told, rollback: undefined });
    await free();
  }
  await reactTo(s, state, deps.log);
}

/** The final status, the replaced deployment marked inactive, and both in the mirror. */
async function settle(
  s: Scene,
  input: {
    readonly state: "success" | "failure" | "error";
    readonly description: string;
    readonly attempt: Attempt;
    readonly store: FinishDeps["store"];
  },
): Promise<void> {
  const { run } = s;
  const { state, attempt } = input;
  await attempt("status", () => deployStatus(s, state, input.description));
  const from = run.plan.rollback?.from;
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
    input.store.saveDeployments(run.repo, [
      recordOf(run, state),
      ...(replaced === undefined ? [] : [{ ...replaced, state: "inactive" as const }]),
    ]),
  );
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

/**
 * The reply on the pull request (none for a branch's automatic deploy), recorded on the job once
 * posted, so that finishing the deployment again after a restart does not post it twice.
 */
async function reply(
  s: Scene,
  outcome: {
    readonly state: "success" | "failure" | "error";
    readonly health: HealthVerdict | undefined;
    readonly rollback: RollbackAfterHealth | undefined;
    readonly attempt: Attempt;
    readonly store: FinishDeps["store"];
  },
): Promise<void> {
  const { run } = s;
  const { health, rollback, state } = outcome;
  const pr = pullRequestOf(run);
  if (pr === undefined || s.job.external[DEPLOY_EXTERNAL.reply] !== undefined) return;
  const common = { plan: run.plan, deploymentId: run.deploymentId, logUrl: s.logUrl };
  const body =
    health?.healthy === false && rollback !== undefined && run.health !== undefined
      ? renderUnhealthy({ ...common, url: run.health.url, reason: health.reason, rollback })
      : renderDeployFinished({ ...common, state, environmentUrl: run.environmentUrl });
  await outcome.attempt("reply", async () => {
    const url = await replyTo({
      octokit: s.octokit,
      at: s.at,
      issue: pr,
      body,
      secrets: s.secrets,
    });
    await outcome.attempt("reply record", () =>
      outcome.store.setJobExternal(s.job.id, { [DEPLOY_EXTERNAL.reply]: url }),
    );
  });
}

/** The command's final reaction: rocket or confused. */
async function reactTo(s: Scene, state: string, log: Logger): Promise<void> {
  if (s.run.origin.kind !== "comment") return;
  await react({
    octokit: s.octokit,
    at: s.at,
    commentId: s.run.origin.commentId,
    content: state === "success" ? "rocket" : "confused",
    logger: log,
  });
}
