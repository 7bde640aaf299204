import type { RollbackAfterHealth } from "../chatops/replies.js";
import type { DeployEnvironment } from "../config/schema.js";
import type { DeployRun, JobRecord } from "../engine/ports.js";
import type { RepoRef } from "../github/comments.js";
import {
  defaultBranchConfig,
  syncedHistory,
  type DefaultBranchPort,
} from "./environment-history.js";
import { findBuildEvidence, type FindBuildInput } from "./build-evidence.js";
import { deployGate, type DeployPlan } from "./gate.js";
import { describeLock } from "./locks.js";
import {
  PYLOT_ACTOR,
  deploySecretValues,
  startDeploy,
  type DeployDeps,
  type DeployOctokit,
} from "./orchestrate.js";
import { rollbackTarget } from "./rollback.js";
import { deploySecrets } from "./secrets.js";
import type { DeploymentRecord, DeploymentState } from "./types.js";

/**
 * Pylot's own rollback after a deployment failed its health check: the same choice as
 * `/rollback <env>` (the newest earlier successful deployment of another commit), through the
 * same gate (a running deployment or another pull request's lock still refuses), started with
 * `task: deploy:rollback` and a payload that says `auto-rollback`. Never for a rollback: an
 * unhealthy rollback is left for a human, so rollbacks cannot chase each other.
 */

export interface AutoRollbackDeps extends Omit<DeployDeps, "octokit" | "store"> {
  readonly octokit: DeployOctokit & DefaultBranchPort;
  readonly store: DeployDeps["store"] &
    Parameters<typeof syncedHistory>[0]["store"] &
    Parameters<typeof defaultBranchConfig>[0]["store"] &
    FindBuildInput["store"];
  /** The bot's environment, for the environment's secrets. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
}

/** A deployment Pylot ran, as history holds it (the store's mirror). */
export function recordOf(run: DeployRun, state: DeploymentState): DeploymentRecord {
  const { plan } = run;
  return {
    id: run.deploymentId,
    sha: plan.sha,
    environment: plan.env,
    createdAt: run.createdAt,
    state,
    creator: "",
    task: plan.task,
    actor: run.actor,
    ...(plan.pr === undefined ? {} : { pr: plan.pr }),
    ...(plan.rollback === undefined ? {} : { rollbackFrom: plan.rollback.from.id }),
  };
}

interface Failed {
  readonly run: DeployRun;
  readonly job: JobRecord;
  readonly at: RepoRef;
}

/** The rollback the gate accepted, with what it runs with; or why there is none. */
type Planned =
  | {
      readonly ok: true;
      readonly plan: DeployPlan;
      readonly target: DeploymentRecord;
      readonly environment: DeployEnvironment;
      readonly environments: readonly string[];
    }
  | { readonly ok: false; readonly message: string };

export async function rollBackUnhealthy(
  deps: AutoRollbackDeps,
  failed: Failed,
): Promise<RollbackAfterHealth> {
  const { run, job, at } = failed;
  const { plan } = run;
  if (plan.rollback !== undefined) return { kind: "not-tried" };
  const planned = await planRollback(deps, failed);
  if (!planned.ok) return { kind: "not-started", message: planned.message };
  const started = await startDeploy(deps, {
    at: { ...at, installationId: run.installationId },
    plan: planned.plan,
    origin: {
      kind: "health-check",
      failedDeploymentId: run.deploymentId,
      ...(plan.pr === undefined ? {} : { pr: plan.pr }),
    },
    actor: PYLOT_ACTOR,
    environmentUrl: planned.environment.url,
    health: planned.environment.health,
    python: job.spec.leg.python,
    timeoutMs: job.spec.timeoutMs,
    secrets: deploySecrets(deps.env, plan.env, { environments: planned.environments }),
    redactions: deploySecretValues(deps.env),
    now: deps.now,
    once: `auto-rollback/${run.repo}/${run.deploymentId}`,
  });
  switch (started.kind) {
    case "started":
      return {
        kind: "started",
        to: planned.target,
        deploymentId: started.deploymentId,
        logUrl: started.logUrl,
      };
    case "locked":
      return { kind: "not-started", message: `${describeLock(started.lock)}.` };
    case "busy":
    case "duplicate":
      return { kind: "not-started", message: `another deployment of ${plan.env} started first.` };
  }
}

async function planRollback(deps: AutoRollbackDeps, failed: Failed): Promise<Planned> {
  const { run, at } = failed;
  const { plan } = run;
  const loaded = await defaultBranchConfig({ octokit: deps.octokit, store: deps.store, at });
  if (loaded.kind !== "config")
    return { ok: false, message: `${loaded.why}, so ${plan.env} is unknown.` };
  const environment = loaded.config.deploy[plan.env];
  if (environment === undefined)
    return { ok: false, message: `${plan.env} is no longer in the config of ${loaded.branch}.` };
  const history = await syncedHistory({
    repos: deps.octokit.rest.repos,
    at,
    store: deps.store,
    environments: [plan.env],
  });
  const current = recordOf(run, "failure");
  const others = history.filter((record) => record.id !== current.id);
  // The unhealthy deployment is what runs now: the target is chosen from before it.
  const choice = rollbackTarget({
    env: plan.env,
    history: [{ ...current, state: "success" }, ...others],
  });
  if (!choice.ok) return choice;
  const gate = deployGate({
    env: plan.env,
    config: loaded.config.deploy,
    headSha: choice.target.sha,
    checks: [],
    deployments: [current, ...others],
    lock: await deps.store.getLock(run.repo, plan.env),
    pr: plan.pr,
    force: false,
    rollback: { target: choice.target, current },
    now: deps.now.toISOString(),
    build: await findBuildEvidence({
      store: deps.store,
      repo: run.repo,
      sha: choice.target.sha,
      build: loaded.config.build,
      now: deps.now,
      retentionDays: deps.env.PYLOT_ARTIFACT_RETENTION_DAYS,
    }),
  });
  if (!gate.ok) return gate;
  const environments = Object.keys(loaded.config.deploy);
  return { ok: true, plan: gate.plan, target: choice.target, environment, environments };
}
