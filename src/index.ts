import type { Probot } from "probot";
import { createPylotApp } from "./app.js";
import type { Handlers } from "./handlers/index.js";

/** Which webhook events reach which handler: the whole of the entry's job. */
export function routes(app: Probot, handlers: Handlers): void {
  app.on("push", handlers.push);
  app.on(
    ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"],
    handlers.pullRequest,
  );
  app.on(["check_suite.requested", "check_suite.rerequested"], handlers.checkSuite);
  app.on(["check_run.rerequested", "check_run.requested_action"], handlers.checkRun);
  app.on("issue_comment.created", handlers.issueComment);
  app.on("pull_request.closed", handlers.pullRequestClosed);
}

/**
 * The Probot entry `npm start` runs (`probot run ./dist/index.js`); it refuses to start without
 * a WEBHOOK_SECRET, which Probot would otherwise default to a public one.
 */
export default createPylotApp({ routes, requireWebhookSecret: true });
