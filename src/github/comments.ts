import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { capBody } from "../chatops/markdown-lines.js";
import { toPermission, type CollaboratorPermission } from "../chatops/permission.js";
import { redact } from "../deploy/secrets.js";

/** Replies and reactions on a pull request's comments. */
export interface CommentsPort {
  readonly rest: {
    readonly issues: Pick<ProbotOctokit["rest"]["issues"], "createComment">;
    readonly reactions: Pick<ProbotOctokit["rest"]["reactions"], "createForIssueComment">;
  };
}

/** The collaborator permission API. */
export interface PermissionPort {
  readonly rest: {
    readonly repos: Pick<ProbotOctokit["rest"]["repos"], "getCollaboratorPermissionLevel">;
  };
}

export const REACTIONS = ["eyes", "rocket", "confused"] as const;
export type Reaction = (typeof REACTIONS)[number];

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

/** Decoration: a reaction that cannot be added is a warning, never a failed command. */
export async function react(options: {
  readonly octokit: CommentsPort;
  readonly at: RepoRef;
  readonly commentId: number;
  readonly content: Reaction;
  readonly logger: Logger;
}): Promise<void> {
  const { at, commentId, content } = options;
  try {
    await options.octokit.rest.reactions.createForIssueComment({
      owner: at.owner,
      repo: at.repo,
      comment_id: commentId,
      content,
    });
  } catch (error) {
    options.logger.warn({ err: error, commentId, content }, "could not add a reaction");
  }
}

/**
 * Answers on the pull request. Every secret value is masked first and the body is cut to what
 * GitHub accepts, so no reply can leak a secret or be refused for its size.
 *
 * @returns the reply's URL
 * @throws the Octokit error: a reply that cannot be written is the caller's to surface
 */
export async function replyTo(options: {
  readonly octokit: CommentsPort;
  readonly at: RepoRef;
  readonly issue: number;
  readonly body: string;
  readonly secrets: readonly string[];
}): Promise<string> {
  const { at } = options;
  const { data } = await options.octokit.rest.issues.createComment({
    owner: at.owner,
    repo: at.repo,
    issue_number: options.issue,
    body: capBody(redact(options.body, options.secrets)),
  });
  return data.html_url;
}

/**
 * What the collaborator permission API says about a user (never `author_association`). A user
 * GitHub does not know as a collaborator (404) has no permission.
 */
export async function collaboratorPermission(
  octokit: PermissionPort,
  at: RepoRef & { readonly username: string },
): Promise<CollaboratorPermission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: at.owner,
      repo: at.repo,
      username: at.username,
    });
    return toPermission(data);
  } catch (error) {
    if (httpStatus(error) === 404) return "none";
    throw error;
  }
}
