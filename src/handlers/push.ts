import type { Context } from "probot";
import { buildCommit, once, fullName, supersede } from "./build-commit.js";
import { decidePush } from "./decide.js";
import type { HandlerServices } from "./services.js";

/** A push to a branch builds its head commit; deletions and tags are ignored. */
export function onPush(services: HandlerServices) {
  return once(services, async (context: Context<"push">): Promise<void> => {
    const decision = decidePush(context.payload);
    if (decision.kind === "skip") {
      context.log.debug({ reason: decision.reason }, "push ignored");
      return;
    }
    const { target } = decision;
    const log = context.log.child({ repo: fullName(target), sha: target.sha });
    if (decision.supersede)
      await supersede(services, { repo: fullName(target), ref: target.ref, sha: target.sha });
    const outcome = await buildCommit(services, context.octokit, target, log);
    log.info({ outcome }, "push handled");
  });
}
