import type { Command } from "../chatops/commands.js";
import {
  renderLockOutcome,
  renderOkToTest,
  renderRefused,
  renderRetest,
} from "../chatops/replies.js";
import { lockDecision, type LockOutcome } from "../deploy/locks.js";
import type { Conclusion } from "../pipeline/types.js";
import { buildCommit, supersede } from "./build-commit.js";
import {
  currentPullRequest,
  repoName,
  type CommandContext,
  type CommandOutcome,
} from "./chatops-context.js";

type LockCommand = Extract<Command, { kind: "lock" | "unlock" }>;

/** How often a lock decision is made again after another replica changed the lock under it. */
const LOCK_ATTEMPTS = 3;

/**
 * `/lock` and `/unlock`: decided on the lock as read, applied with a compare-and-set. When the
 * lock changed in between (another pull request won the race), the decision is made again on
 * the new lock, so the reply always tells the truth.
 */
export async function lockCommand(
  ctx: CommandContext,
  command: LockCommand,
): Promise<CommandOutcome> {
  const { store } = ctx.services;
  const repo = repoName(ctx.target);
  const request = {
    env: command.env,
    pr: ctx.target.pr,
    actor: ctx.target.author,
    ...(command.kind === "lock" && command.reason !== undefined ? { reason: command.reason } : {}),
    at: ctx.now.toISOString(),
  };
  let outcome: LockOutcome | undefined;
  for (let attempt = 0; attempt < LOCK_ATTEMPTS && outcome === undefined; attempt += 1) {
    const current = await store.getLock(repo, command.env);
    const decided = lockDecision({
      kind: command.kind,
      current,
      request,
      permission: ctx.permission,
    });
    const applied =
      decided.kind === "acquire"
        ? await store.acquireLock(repo, decided.lock)
        : decided.kind === "release"
          ? await store.releaseLock(repo, decided.lock)
          : true;
    if (applied) outcome = decided;
  }
  if (outcome === undefined) {
    const message = `${command.env}'s lock kept changing while Pylot applied this; try again.`;
    return { reply: renderRefused({ command: command.kind, message }), reaction: "confused" };
  }
  ctx.log.info({ env: command.env, outcome: outcome.kind }, "lock command applied");
  return {
    reply: renderLockOutcome(outcome),
    reaction: outcome.kind === "refused" ? "confused" : "rocket",
  };
}

/** Conclusions `engine.rerun(…, { kind: "failed" })` runs again. */
const RERUNNABLE: readonly (Conclusion | null)[] = ["failure", "timed_out", "cancelled", "skipped"];

/** `/retest`: the failed jobs of the pipeline of the pull request's head commit run again. */
export async function retestCommand(ctx: CommandContext): Promise<CommandOutcome> {
  const { store, engine } = ctx.services;
  const head = await currentPullRequest(ctx);
  const pipeline = await store.findPipelineBySha(repoName(ctx.target), head.sha);
  if (pipeline === undefined) {
    const message = `no pipeline has run on ${head.sha.slice(0, 7)}, the head of this pull request${head.fromFork ? " (a fork's commit needs /ok-to-test first)" : ""}.`;
    return { reply: renderRefused({ command: "retest", message }), reaction: "confused" };
  }
  const jobs = await store.listJobs(pipeline.id);
  const failed = jobs.filter(
    (job) => job.state === "completed" && RERUNNABLE.includes(job.conclusion),
  ).length;
  if (failed > 0) await engine.rerun(pipeline.id, { kind: "failed" });
  ctx.log.info({ pipeline: pipeline.id, failed }, "retest");
  return { reply: renderRetest({ sha: head.sha, jobs: failed }), reaction: "rocket" };
}

/**
 * `/ok-to-test`, already authorised against the head read for it: approves that commit only
 * (a later push needs a new approval) and builds it now.
 */
export async function okToTestCommand(
  ctx: CommandContext,
  head: { readonly sha: string; readonly fromFork: boolean },
): Promise<CommandOutcome> {
  const { target, services } = ctx;
  if (!head.fromFork) {
    const message =
      "this pull request does not come from a fork: its commits are built without approval.";
    return { reply: renderRefused({ command: "ok-to-test", message }), reaction: "confused" };
  }
  const repo = repoName(target);
  await services.store.recordApproval({
    repo,
    pr: target.pr,
    sha: head.sha,
    actor: target.author,
    approvedAt: ctx.now.toISOString(),
  });
  await supersede(services, { repo, pullRequest: target.pr, sha: head.sha });
  const outcome = await buildCommit(
    services,
    ctx.octokit,
    {
      owner: target.owner,
      repo: target.repo,
      sha: head.sha,
      ref: `refs/pull/${target.pr}/head`,
      event: "pull_request",
      pullRequest: target.pr,
      installationId: target.installationId,
    },
    ctx.log,
  );
  ctx.log.info({ sha: head.sha, outcome }, "fork commit approved for testing");
  return { reply: renderOkToTest(head.sha), reaction: "rocket" };
}
