import type { Context } from "probot";
import { locksToReleaseOnClose } from "../deploy/locks.js";
import { once } from "./build-commit.js";
import type { HandlerServices } from "./services.js";

/** Merging or closing a pull request releases the environment locks it holds. */
export function onPullRequestClosed(services: HandlerServices) {
  return once(services, async (context: Context<"pull_request.closed">): Promise<void> => {
    const repo = context.payload.repository.full_name;
    const pr = context.payload.pull_request.number;
    const held = locksToReleaseOnClose(pr, await services.store.listLocks(repo));
    const released: string[] = [];
    // Compare-and-set: a lock taken over since it was listed is not this PR's to release.
    for (const lock of held)
      if (await services.store.releaseLock(repo, lock)) released.push(lock.env);
    if (held.length > 0)
      context.log.info({ repo, pr, released }, "closed pull request's locks released");
  });
}
