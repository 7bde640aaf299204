/**
 * The `handlers/` capability: one function per event family. Each records the delivery
 * (dedupe), decodes the payload with a pure `decide*` function, and calls the engine or
 * `github/`; none waits for jobs.
 */
import { onCheckRun } from "./check-run.js";
import { onCheckSuite } from "./check-suite.js";
import { onIssueComment } from "./issue-comment.js";
import { onPullRequest } from "./pull-request.js";
import { onPullRequestClosed } from "./pull-request-closed.js";
import { onPush } from "./push.js";
import type { HandlerServices } from "./services.js";

export { onCheckRun, onCheckSuite, onIssueComment, onPullRequest, onPullRequestClosed, onPush };
export { COMMENT_SKIPS, decideIssueComment, type CommentTarget } from "./chatops-decide.js";
export {
  decideCheckRun,
  decideCheckSuite,
  decidePullRequest,
  decidePush,
  SKIP_REASONS,
  type BuildTarget,
  type SkipReason,
} from "./decide.js";
export type { BuildOutcome } from "./build-commit.js";
export type { ChatOpsSettings, HandlerServices } from "./services.js";

export interface Handlers {
  readonly push: ReturnType<typeof onPush>;
  readonly pullRequest: ReturnType<typeof onPullRequest>;
  readonly checkSuite: ReturnType<typeof onCheckSuite>;
  readonly checkRun: ReturnType<typeof onCheckRun>;
  readonly issueComment: ReturnType<typeof onIssueComment>;
  readonly pullRequestClosed: ReturnType<typeof onPullRequestClosed>;
}

export function createHandlers(services: HandlerServices): Handlers {
  return {
    push: onPush(services),
    pullRequest: onPullRequest(services),
    checkSuite: onCheckSuite(services),
    checkRun: onCheckRun(services),
    issueComment: onIssueComment(services),
    pullRequestClosed: onPullRequestClosed(services),
  };
}
