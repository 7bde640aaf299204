import type { Context } from "probot";
import { buildCommit, once, fullName, gateFork, supersede } from "./build-commit.js";
import { decidePullRequest } from "./decide.js";
import type { HandlerServices } from "./services.js";

type PullRequestEvent =
  "pull_request.opened" | "pull_request.synchronize" | "pull_request.reopened";

/**
 * A pull request's new head supersedes the PR's running pipelines, then is built; a fork's
 * head is gated until a maintainer approves that very commit with `/ok-to-test`.
 */
export function onPullRequest(services: HandlerServices) {
  return once(services, async (context: Context<PullRequestEvent>): Promise<void> => {
    const decision = decidePullRequest(context.payload);
    if (decision.kind === "skip") {
      context.log.debug({ reason: decision.reason }, "pull request ignored");
      return;
    }
    const { target } = decision;
    const repo = fullName(target);
    const log = context.log.child({ repo, pr: target.pullRequest, sha: target.sha });
    const pullRequest = target.pullRequest ?? context.payload.pull_request.number;
    const cancelled = await supersede(services, { repo, pullRequest, sha: target.sha });
    if (decision.kind === "fork") {
      // A writer's `/ok-to-test` covers exactly one commit; any other head waits again.
      const approval = await services.store.findApproval(repo, pullRequest, target.sha);
      if (approval === undefined) {
        const gated = await gateFork(services, context.octokit, decision, log);
        log.info({ gated, cancelled }, "fork pull request handled");
        return;
      }
      log.info({ approvedBy: approval.actor }, "fork commit approved with /ok-to-test");
    } else {
      cancelled.push(
        ...(await supersede(services, { repo, ref: decision.headRef, sha: target.sha })),
      );
    }
    const outcome = await buildCommit(services, context.octokit, target, log);
    if (outcome.kind === "exists") await commentOnCompleted(services, outcome.pipelineId);
    log.info({ outcome, cancelled }, "pull request handled");
  });
}

/** A push built the PR's head before the PR existed: its completed pipeline comments now. */
async function commentOnCompleted(services: HandlerServices, pipelineId: string): Promise<void> {
  const pipeline = await services.store.getPipeline(pipelineId);
  if (services.comments === undefined || pipeline?.status !== "completed") return;
  services.comments.commentOn({ pipeline, jobs: await services.store.listJobs(pipelineId) });
}
