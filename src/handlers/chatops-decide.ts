import type { Context } from "probot";
import { parseCommand } from "../chatops/parse-command.js";

type IssueCommentPayload = Context<"issue_comment.created">["payload"];

export const COMMENT_SKIPS = [
  "no-installation",
  "not-created",
  "not-a-pull-request",
  "bot",
  "no-command",
] as const;
export type CommentSkip = (typeof COMMENT_SKIPS)[number];

/** A pull request comment that holds a Pylot command (or a malformed one): pure data. */
export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly installationId: number;
  readonly pr: number;
  readonly commentId: number;
  /** Who wrote the comment. */
  readonly author: string;
  readonly body: string;
  /** Where deploy config is read from: never the pull request's head. */
  readonly defaultBranch: string;
  /** A private repository's badges need a signed token. */
  readonly private: boolean;
}

export type CommentDecision =
  | { readonly kind: "skip"; readonly reason: CommentSkip }
  | { readonly kind: "command"; readonly target: CommentTarget };

/**
 * Whether a comment is for Pylot. Only new comments count (an edit could turn an old comment
 * into a command nobody saw written); bots, including Pylot itself, are never obeyed; and a
 * comment without a command line costs no request at all (the parse needs no config to say so).
 */
export function decideIssueComment(payload: IssueCommentPayload): CommentDecision {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { kind: "skip", reason: "no-installation" };
  // Routed for `created` only; the payload's own word is checked again all the same.
  const action: string = payload.action;
  if (action !== "created") return { kind: "skip", reason: "not-created" };
  const { issue, comment, repository } = payload;
  if (issue.pull_request === undefined) return { kind: "skip", reason: "not-a-pull-request" };
  const user = comment.user;
  if (user === null || user.type === "Bot" || user.login.endsWith("[bot]"))
    return { kind: "skip", reason: "bot" };
  if (parseCommand(comment.body, { environments: [] }).kind === "none")
    return { kind: "skip", reason: "no-command" };
  return {
    kind: "command",
    target: {
      owner: repository.full_name.slice(0, -(repository.name.length + 1)),
      repo: repository.name,
      installationId,
      pr: issue.number,
      commentId: comment.id,
      author: user.login,
      body: comment.body,
      defaultBranch: repository.default_branch,
      private: repository.private,
    },
  };
}
