import type { RollbackRequest } from "../deploy/types.js";

export const COMMAND_NAMES = [
  "deploy",
  "rollback",
  "lock",
  "unlock",
  "retest",
  "ok-to-test",
  "help",
  "badge",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export type Command =
  | {
      readonly kind: "deploy";
      readonly env: string;
      /** Every gate and the plan, no deployment. */
      readonly dryRun: boolean;
      /** Past red or pending checks; admins only. */
      readonly force: boolean;
    }
  | { readonly kind: "rollback"; readonly env: string; readonly target?: RollbackRequest }
  | {
      readonly kind: "lock";
      readonly env: string;
      /** Plain text: control and format characters removed, trimmed, at most 200 characters. */
      readonly reason?: string;
    }
  | { readonly kind: "unlock"; readonly env: string }
  | { readonly kind: "retest" }
  | { readonly kind: "ok-to-test" }
  | { readonly kind: "help" }
  | { readonly kind: "badge" };

/**
 * What a comment asks of Pylot: nothing (ignore it silently), a malformed Pylot command (answer
 * with `reason` and the help), or a command.
 */
export type ParsedComment =
  | { readonly kind: "none" }
  | {
      readonly kind: "invalid";
      readonly command: CommandName;
      /** Plain text, short; escape it when writing markdown. */
      readonly reason: string;
    }
  | Command;

export const USAGE: Readonly<Record<CommandName, string>> = {
  deploy: "/deploy <env> [--dry-run] [--force]",
  rollback: "/rollback <env> [to <sha|deployment-id>]",
  lock: "/lock <env> [reason]",
  unlock: "/unlock <env>",
  retest: "/retest",
  "ok-to-test": "/ok-to-test",
  help: "/help",
  badge: "/badge",
};

/** Commands that name an environment, and so are checked against its `allow` list. */
export type EnvCommand = Extract<Command, { env: string }>;

export function isEnvCommand(command: Command): command is EnvCommand {
  return "env" in command;
}
