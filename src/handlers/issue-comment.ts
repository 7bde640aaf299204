import type { Context } from "probot";
import { once } from "./build-commit.js";
import { decideIssueComment } from "./chatops-decide.js";
import { runComment } from "./chatops-run.js";
import type { HandlerServices } from "./services.js";

/**
 * A new comment on a pull request: a Pylot command is acknowledged, authorised, carried out and
 * answered. Edited and deleted comments are not routed here; other comments cost nothing.
 */
export function onIssueComment(services: HandlerServices) {
  return once(services, async (context: Context<"issue_comment.created">): Promise<void> => {
    const decision = decideIssueComment(context.payload);
    if (decision.kind === "skip") {
      context.log.debug({ reason: decision.reason }, "comment ignored");
      return;
    }
    const { target } = decision;
    const log = context.log.child({
      repo: `${target.owner}/${target.repo}`,
      pr: target.pr,
      comment: target.commentId,
    });
    await runComment({ services, octokit: context.octokit, target, log });
  });
}
