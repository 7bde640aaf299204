/**
 * ChatOps, all pure: parse a PR comment into a command, decide who may run it, and write the
 * replies. The `issue_comment` handler performs the effects (reactions, deployments, replies).
 */
export {
  COMMAND_NAMES,
  USAGE,
  isEnvCommand,
  type Command,
  type CommandName,
  type EnvCommand,
  type ParsedComment,
} from "./commands.js";
export { MAX_COMMENT_LENGTH, capBody, codeSpans, plainLines } from "./markdown-lines.js";
export { MAX_LOCK_REASON, parseCommand, type ParseOptions } from "./parse-command.js";
export {
  AUTH_REFUSALS,
  PERMISSION_ORDER,
  atLeast,
  authorise,
  requiredPermission,
  toPermission,
  type AuthRefusal,
  type Authorisation,
  type AuthoriseInput,
  type CollaboratorPermission,
} from "./permission.js";
export { renderHelp } from "./help.js";
export {
  renderDeployAccepted,
  renderDeployFinished,
  renderDryRun,
  renderInvalid,
  renderLockOutcome,
  renderOkToTest,
  renderRefused,
  renderRetest,
  type AcceptedInput,
  type FinishedInput,
} from "./replies.js";
export { code, commit, escapeText, link, sanitizeText } from "./text.js";
