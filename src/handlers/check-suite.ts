import type { Context } from "probot";
import { isBranchHead } from "../github/branches.js";
import { buildCommit, once, fullName, repoAt } from "./build-commit.js";
import { decideCheckSuite } from "./decide.js";
import type { HandlerServices } from "./services.js";

type CheckSuiteEvent = "check_suite.requested" | "check_suite.rerequested";

/**
 * `requested` builds the commit unless push or pull_request did already; `rerequested`
 * ("Re-run all checks") runs the commit's pipeline again. A commit without a pipeline is only
 * built when it is the head of one of this repository's branches: a fork's commit must wait
 * for `/ok-to-test`, whoever clicks re-run.
 */
export function onCheckSuite(services: HandlerServices) {
  return once(services, async (context: Context<CheckSuiteEvent>): Promise<void> => {
    const decision = decideCheckSuite(context.payload);
    if (decision.kind === "skip") return;
    const { target } = decision;
    const repo = fullName(target);
    const log = context.log.child({ repo, sha: target.sha });
    const existing = await services.store.findPipelineBySha(repo, target.sha);
    if (existing !== undefined && decision.rerun) {
      await services.engine.rerun(existing.id, { kind: "all" });
      log.info({ pipeline: existing.id }, "check suite re-run");
      return;
    }
    if (existing !== undefined && existing.conclusion !== "cancelled") return;
    if (decision.rerun) services.configs.forget(repoAt(target));
    const branch = decision.headBranch;
    const pushed =
      branch !== null && (await isBranchHead(context.octokit, { ...repoAt(target), branch }));
    if (!pushed) {
      log.info({ branch }, "check suite not built: its commit is not a branch head here");
      return;
    }
    const outcome = await buildCommit(services, context.octokit, target, log);
    log.info({ outcome }, "check suite handled");
  });
}
