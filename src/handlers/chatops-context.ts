import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import type { CollaboratorPermission } from "../chatops/permission.js";
import type { PylotConfig } from "../config/schema.js";
import type { DeployOctokit } from "../deploy/orchestrate.js";
import type { PermissionPort } from "../github/comments.js";
import type { HandlerOctokit } from "./build-commit.js";
import type { CommentTarget } from "./chatops-decide.js";
import type { HandlerServices } from "./services.js";

/** The installation client of a comment's delivery, narrowed to what ChatOps uses. */
export type ChatOpsOctokit = HandlerOctokit &
  DeployOctokit &
  PermissionPort & {
    readonly rest: { readonly pulls: Pick<ProbotOctokit["rest"]["pulls"], "get"> };
  };

/** What a command's effect works with, once it is parsed and authorised. */
export interface CommandContext {
  readonly services: HandlerServices;
  readonly octokit: ChatOpsOctokit;
  readonly target: CommentTarget;
  /** The default branch's config; undefined when it has none or it is invalid. */
  readonly config: PylotConfig | undefined;
  readonly permission: CollaboratorPermission;
  readonly log: Logger;
  readonly now: Date;
  /** Every deploy secret value: masked in whatever the bot writes. */
  readonly redactions: readonly string[];
}

/**
 * What a command comes to: the reply, and the reaction that ends it. No reaction means the
 * command goes on (a deployment reacts when it ends).
 */
export interface CommandOutcome {
  readonly reply?: string;
  readonly reaction?: "rocket" | "confused";
}

export function repoName(target: Pick<CommentTarget, "owner" | "repo">): string {
  return `${target.owner}/${target.repo}`;
}

/** Typed as always present, but GitHub sends null (a PR's head repo once the fork is deleted). */
function nullable<T>(value: T): T | null {
  return value;
}

/** The pull request as it is now: its head commit, and whether it comes from a fork. */
export async function currentPullRequest(
  ctx: Pick<CommandContext, "octokit" | "target">,
): Promise<{ readonly sha: string; readonly fromFork: boolean; readonly author: string }> {
  const { owner, repo, pr } = ctx.target;
  const { data } = await ctx.octokit.rest.pulls.get({ owner, repo, pull_number: pr });
  const head = nullable(data.head.repo);
  return {
    sha: data.head.sha,
    fromFork: head?.full_name !== data.base.repo.full_name,
    author: data.user.login,
  };
}
