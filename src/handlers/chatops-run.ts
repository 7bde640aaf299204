import type { Logger } from "pino";
import { isEnvCommand, type CommandName, type ParsedComment } from "../chatops/commands.js";
import { renderHelp } from "../chatops/help.js";
import { parseCommand } from "../chatops/parse-command.js";
import { authorise } from "../chatops/permission.js";
import { renderInvalid, renderRefused } from "../chatops/replies.js";
import { deploySecretValues } from "../deploy/orchestrate.js";
import { collaboratorPermission, react, replyTo } from "../github/comments.js";
import { loadRepoConfig } from "../github/repo-config.js";
import { lockCommand, okToTestCommand, retestCommand } from "./chatops-commands.js";
import {
  currentPullRequest,
  type ChatOpsOctokit,
  type CommandContext,
  type CommandOutcome,
} from "./chatops-context.js";
import type { CommentTarget } from "./chatops-decide.js";
import { deployCommand, rollbackCommand } from "./chatops-deploy.js";
import { badgeMarkdown } from "../http/badge-markdown.js";
import type { ChatOpsSettings, HandlerServices } from "./services.js";

export interface CommentInput {
  readonly services: HandlerServices;
  readonly octokit: ChatOpsOctokit;
  readonly target: CommentTarget;
  readonly log: Logger;
}

/**
 * A command comment, from receipt to answer: eyes at once, then the command (config from the
 * default branch, permission from the collaborator API, the decision, its effects), then the
 * reply and the final reaction. A failure on the way is answered too, never left silent.
 */
export async function runComment(input: CommentInput): Promise<void> {
  const { octokit, target, log } = input;
  const at = { owner: target.owner, repo: target.repo };
  const { commentId } = target;
  await react({ octokit, at, commentId, content: "eyes", logger: log });
  const redactions = deploySecretValues(input.services.chatops.env);
  let outcome: CommandOutcome;
  try {
    outcome = await runCommand(input, redactions);
  } catch (error) {
    log.error({ err: error }, "command failed");
    outcome = { reply: failureReply(error), reaction: "confused" };
  }
  if (outcome.reply !== undefined) {
    try {
      await replyTo({ octokit, at, issue: target.pr, body: outcome.reply, secrets: redactions });
    } catch (error) {
      log.error({ err: error }, "could not reply to a command");
    }
  }
  if (outcome.reaction !== undefined)
    await react({ octokit, at, commentId, content: outcome.reaction, logger: log });
}

const ENV_COMMANDS: readonly CommandName[] = ["deploy", "rollback", "lock", "unlock"];

async function runCommand(
  input: CommentInput,
  redactions: readonly string[],
): Promise<CommandOutcome> {
  const { octokit, target, services } = input;
  const at = { owner: target.owner, repo: target.repo };
  // Deploy settings decide what runs with secrets: read from the default branch, never the PR.
  const loaded = await loadRepoConfig(octokit, { ...at, sha: target.defaultBranch });
  const config = loaded.kind === "config" ? loaded.config : undefined;
  const deploy = config?.deploy ?? {};
  const parsed = parseCommand(target.body, { environments: Object.keys(deploy) });
  const name: CommandName | undefined =
    parsed.kind === "none" ? undefined : parsed.kind === "invalid" ? parsed.command : parsed.kind;
  if (loaded.kind === "invalid" && name !== undefined && ENV_COMMANDS.includes(name)) {
    const message = `.github/pylot.yml on ${target.defaultBranch} is not valid, so its environments are unknown; fix it first.`;
    return { reply: renderRefused({ command: name, message }), reaction: "confused" };
  }
  switch (parsed.kind) {
    case "none":
      return {};
    case "invalid":
      return { reply: renderInvalid(parsed, deploy), reaction: "confused" };
    case "help":
      return { reply: renderHelp(deploy), reaction: "rocket" };
    case "badge":
      return badgeReply(target, services.chatops, Object.keys(deploy));
    default:
      break;
  }
  const permission = await collaboratorPermission(octokit, { ...at, username: target.author });
  const head =
    parsed.kind === "ok-to-test" ? await currentPullRequest({ octokit, target }) : undefined;
  const auth = authorise({
    command: parsed,
    permission,
    environment: isEnvCommand(parsed) ? deploy[parsed.env] : undefined,
    isForkAuthor: head !== undefined && head.fromFork && head.author === target.author,
  });
  if (!auth.ok) {
    input.log.info({ command: parsed.kind, reason: auth.reason, permission }, "command refused");
    return {
      reply: renderRefused({ command: parsed.kind, message: auth.message }),
      reaction: "confused",
    };
  }
  const now = services.chatops.now?.() ?? new Date();
  const ctx: CommandContext = { ...input, config, permission, now, redactions };
  return effect(ctx, parsed, head);
}

/** `/badge`: ready-to-paste Markdown for the repository's README, signed when it is private. */
function badgeReply(
  target: CommentTarget,
  settings: ChatOpsSettings,
  environments: readonly string[],
): CommandOutcome {
  const unavailable = (message: string): CommandOutcome => ({
    reply: renderRefused({ command: "badge", message }),
    reaction: "confused",
  });
  if (settings.publicUrl === undefined)
    return unavailable("badges need PYLOT_PUBLIC_URL, the address this Pylot is reachable at.");
  if (target.private && settings.badgeSecret === undefined)
    return unavailable("badges of a private repository need PYLOT_BADGE_SECRET on this Pylot.");
  const markdown = badgeMarkdown({
    publicUrl: settings.publicUrl,
    repo: `${target.owner}/${target.repo}`,
    branch: target.defaultBranch,
    secret: target.private ? settings.badgeSecret : undefined,
    environments,
  });
  return {
    reply: `Badges for the README (branch \`${target.defaultBranch}\`):\n\n\`\`\`markdown\n${markdown}\n\`\`\`\n`,
    reaction: "rocket",
  };
}

function effect(
  ctx: CommandContext,
  command: Exclude<ParsedComment, { kind: "none" | "invalid" | "help" | "badge" }>,
  head: Awaited<ReturnType<typeof currentPullRequest>> | undefined,
): Promise<CommandOutcome> {
  switch (command.kind) {
    case "deploy":
      return deployCommand(ctx, command);
    case "rollback":
      return rollbackCommand(ctx, command);
    case "lock":
    case "unlock":
      return lockCommand(ctx, command);
    case "retest":
      return retestCommand(ctx);
    case "ok-to-test":
      return head === undefined ? Promise.resolve({}) : okToTestCommand(ctx, head);
  }
}

function httpFailure(error: unknown): { status: number; method: string; url: string } | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  if (typeof error.status !== "number") return undefined;
  const request = "request" in error && typeof error.request === "object" ? error.request : null;
  const method = request !== null && "method" in request ? String(request.method) : "a request";
  const url = request !== null && "url" in request ? String(request.url) : "";
  return {
    status: error.status,
    method,
    url: url.replace(/^https?:\/\/[^/]+/, "").split("?")[0] ?? "",
  };
}

/** The one place failures become text: what failed, never a stack or an error's free text. */
export function failureReply(error: unknown): string {
  const http = httpFailure(error);
  const what =
    http === undefined
      ? "an internal error (the bot's log has the details)"
      : `GitHub answered ${http.status} to ${http.method} \`${http.url}\``;
  return `💥 Pylot could not carry this command out: ${what}. Steps before it may have taken effect; check before trying again.`;
}
