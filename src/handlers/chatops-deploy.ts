import type { Command } from "../chatops/commands.js";
import { renderDeployAccepted, renderDryRun, renderRefused } from "../chatops/replies.js";
import type { DeployEnvironment } from "../config/schema.js";
import { findBuildEvidence, type BuildEvidence } from "../deploy/build-evidence.js";
import { deployGate, type DeployPlan, type GateResult } from "../deploy/gate.js";
import { syncedHistory } from "../deploy/environment-history.js";
import { describeLock } from "../deploy/locks.js";
import { startDeploy, type DeployStart } from "../deploy/orchestrate.js";
import { rollbackTarget } from "../deploy/rollback.js";
import { deploySecrets } from "../deploy/secrets.js";
import type { CheckState, DeploymentRecord } from "../deploy/types.js";
import {
  currentPullRequest,
  repoName,
  type CommandContext,
  type CommandOutcome,
} from "./chatops-context.js";

type DeployCommand = Extract<Command, { kind: "deploy" }>;
type RollbackCommand = Extract<Command, { kind: "rollback" }>;

/**
 * `/deploy <env>`: the PR's head commit is resolved now and is what gets deployed, whatever is
 * pushed a moment later. Its Pylot checks, the environment's history (for `requires` and a
 * running deployment) and its lock go through the gate; a dry run stops there.
 */
export async function deployCommand(
  ctx: CommandContext,
  command: DeployCommand,
): Promise<CommandOutcome> {
  const environment = ctx.config?.deploy[command.env];
  if (ctx.config === undefined || environment === undefined) return unknown(command);
  const head = await currentPullRequest(ctx);
  const checks = await headChecks(ctx, head.sha);
  const deployments = await history(ctx, [command.env, ...environment.requires]);
  const gate = deployGate({
    env: command.env,
    config: ctx.config.deploy,
    headSha: head.sha,
    checks,
    deployments,
    lock: await ctx.services.store.getLock(repoName(ctx.target), command.env),
    pr: ctx.target.pr,
    force: command.force,
    fromFork: head.fromFork,
    now: ctx.now.toISOString(),
    build: await buildOf(ctx, head.sha),
  });
  if (!gate.ok) return refused("deploy", gate);
  if (command.dryRun) return { reply: renderDryRun(gate.plan), reaction: "rocket" };
  const flags = command.force ? " --force" : "";
  return launch(ctx, gate.plan, { environment, command: `/deploy ${command.env}${flags}` });
}

/**
 * `/rollback <env> [to …]`: the target comes from the environment's history (read from GitHub,
 * mirrored in the store); the gate still refuses while the environment is locked by another
 * pull request or has a deployment running.
 */
export async function rollbackCommand(
  ctx: CommandContext,
  command: RollbackCommand,
): Promise<CommandOutcome> {
  const environment = ctx.config?.deploy[command.env];
  if (ctx.config === undefined || environment === undefined) return unknown(command);
  const deployments = await history(ctx, [command.env]);
  const choice = rollbackTarget({
    env: command.env,
    history: deployments,
    requested: command.target,
  });
  if (!choice.ok)
    return {
      reply: renderRefused({ command: "rollback", message: choice.message }),
      reaction: "confused",
    };
  const gate = deployGate({
    env: command.env,
    config: ctx.config.deploy,
    headSha: choice.target.sha,
    checks: [],
    deployments,
    lock: await ctx.services.store.getLock(repoName(ctx.target), command.env),
    pr: ctx.target.pr,
    force: false,
    rollback: { target: choice.target, current: choice.current },
    now: ctx.now.toISOString(),
    build: await buildOf(ctx, choice.target.sha),
  });
  if (!gate.ok) return refused("rollback", gate);
  const to =
    command.target === undefined
      ? ""
      : ` to ${command.target.kind === "sha" ? command.target.sha : command.target.id}`;
  return launch(ctx, gate.plan, { environment, command: `/rollback ${command.env}${to}` });
}

async function launch(
  ctx: CommandContext,
  plan: DeployPlan,
  what: { readonly environment: DeployEnvironment; readonly command: string },
): Promise<CommandOutcome> {
  const { services, target } = ctx;
  const config = ctx.config;
  const environments = Object.keys(config?.deploy ?? {});
  const started = await startDeploy(
    {
      octokit: ctx.octokit,
      store: services.store,
      engine: services.engine,
      publicUrl: services.chatops.publicUrl,
      badgeSecret: services.chatops.badgeSecret,
    },
    {
      at: { owner: target.owner, repo: target.repo, installationId: target.installationId },
      plan,
      origin: { kind: "comment", pr: target.pr, commentId: target.commentId },
      actor: target.author,
      command: what.command,
      environmentUrl: what.environment.url,
      health: what.environment.health,
      python: services.defaultPython,
      timeoutMs: Math.round((config?.["timeout-minutes"] ?? 20) * 60_000),
      secrets: deploySecrets(services.chatops.env, plan.env, { environments }),
      redactions: ctx.redactions,
      now: ctx.now,
    },
  );
  const command = plan.rollback === undefined ? "deploy" : "rollback";
  if (started.kind !== "started") {
    const message = notStarted(started, plan.env);
    return { reply: renderRefused({ command, message }), reaction: "confused" };
  }
  ctx.log.info(
    { deployment: started.deploymentId, env: plan.env, sha: plan.sha },
    "deploy started",
  );
  return {
    reply: renderDeployAccepted({
      plan,
      deploymentId: started.deploymentId,
      logUrl: started.logUrl,
    }),
  };
}

/** Why an accepted deploy did not start after all: someone else got there first. */
function notStarted(start: Exclude<DeployStart, { kind: "started" }>, env: string): string {
  switch (start.kind) {
    case "busy":
    case "duplicate":
      return `another deployment of ${env} started first; one deployment per environment at a time, so try again when it has finished.`;
    case "locked":
      return `${describeLock(start.lock)}. The lock was taken while this deploy was being prepared.`;
  }
}

function unknown(command: DeployCommand | RollbackCommand): CommandOutcome {
  const message = `${command.env} is not an environment of this repository's deploy config.`;
  return { reply: renderRefused({ command: command.kind, message }), reaction: "confused" };
}

function refused(
  command: "deploy" | "rollback",
  gate: Extract<GateResult, { ok: false }>,
): CommandOutcome {
  return { reply: renderRefused({ command, message: gate.message }), reaction: "confused" };
}

/** What the commit's CI built, when the default branch's config builds anything. */
function buildOf(ctx: CommandContext, sha: string): Promise<BuildEvidence> {
  return findBuildEvidence({
    store: ctx.services.store,
    repo: repoName(ctx.target),
    sha,
    build: ctx.config?.build ?? { wheel: false },
    now: ctx.now,
    retentionDays: ctx.services.chatops.env.PYLOT_ARTIFACT_RETENTION_DAYS,
  });
}

/** The head commit's latest check runs (the gate keeps Pylot's own). */
async function headChecks(ctx: CommandContext, sha: string): Promise<CheckState[]> {
  const { owner, repo } = ctx.target;
  const { data } = await ctx.octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: sha,
    filter: "latest",
    per_page: 100,
  });
  return data.check_runs.map((run) => ({
    name: run.name,
    status: run.status,
    conclusion: run.conclusion,
  }));
}

/** Deployment history from GitHub; the store's mirror saves re-reading settled statuses. */
function history(
  ctx: CommandContext,
  environments: readonly string[],
): Promise<DeploymentRecord[]> {
  return syncedHistory({
    repos: ctx.octokit.rest.repos,
    at: ctx.target,
    store: ctx.services.store,
    environments,
  });
}
