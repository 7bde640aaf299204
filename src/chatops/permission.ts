import type { DeployEnvironment, Permission } from "../config/schema.js";
import type { Command } from "./commands.js";

/** Lowest to highest; a collaborator without access is `none`, below all of these. */
export const PERMISSION_ORDER = ["read", "triage", "write", "maintain", "admin"] as const;
export type CollaboratorPermission = Permission | "none";

export const AUTH_REFUSALS = [
  "insufficient-permission",
  "unknown-environment",
  "force-needs-admin",
  "self-approval",
] as const;
export type AuthRefusal = (typeof AUTH_REFUSALS)[number];

export type Authorisation =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: AuthRefusal; readonly message: string };

function rank(permission: CollaboratorPermission): number {
  return permission === "none" ? -1 : PERMISSION_ORDER.indexOf(permission);
}

export function atLeast(have: CollaboratorPermission, need: Permission): boolean {
  return rank(have) >= rank(need);
}

/**
 * The permission an `allow` list asks for. Lists are read as thresholds, so `allow: [write]`
 * admits write, maintain and admin, and `[admin, write]` means write or higher. An empty list
 * admits nobody.
 */
export function requiredPermission(allow: readonly Permission[]): Permission | undefined {
  return [...allow].sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * Reads the collaborator permission API's answer. `role_name` knows triage and maintain;
 * `permission` is the legacy admin/write/read that custom roles map onto. Anything else is none.
 */
export function toPermission(answer: {
  readonly role_name?: string | null | undefined;
  readonly permission?: string | null | undefined;
}): CollaboratorPermission {
  const known = (value: string | null | undefined): Permission | undefined =>
    PERMISSION_ORDER.find((permission) => permission === value);
  return known(answer.role_name) ?? known(answer.permission) ?? "none";
}

export interface AuthoriseInput {
  readonly command: Command;
  /** From the collaborator permission API (see `toPermission`), never `author_association`. */
  readonly permission: CollaboratorPermission;
  /** The command's environment in the default branch's config; undefined if it has none. */
  readonly environment?: DeployEnvironment | undefined;
  /** The commenter opened this pull request from a fork. */
  readonly isForkAuthor?: boolean;
}

type Refusal = Extract<Authorisation, { ok: false }>;
const refuse = (reason: AuthRefusal, message: string): Refusal => ({ ok: false, reason, message });

function needs(have: CollaboratorPermission, need: Permission, what: string): Authorisation {
  if (atLeast(have, need)) return { ok: true };
  return refuse(
    "insufficient-permission",
    `${what} needs ${need} permission or higher; you have ${have}.`,
  );
}

/**
 * Who may do what. Environment commands need the environment's `allow` threshold; `--force`
 * also needs admin; `/retest` and `/ok-to-test` need write (and nobody approves their own fork);
 * `/badge` needs read; `/help` is for anyone.
 */
export function authorise(input: AuthoriseInput): Authorisation {
  const { command, permission } = input;
  switch (command.kind) {
    case "help":
      return { ok: true };
    case "badge":
      return needs(permission, "read", "/badge");
    case "retest":
      return needs(permission, "write", "/retest");
    case "ok-to-test":
      if (input.isForkAuthor === true) {
        return refuse(
          "self-approval",
          "/ok-to-test approves someone else's fork; a writer has to ask for it.",
        );
      }
      return needs(permission, "write", "/ok-to-test");
    case "deploy":
    case "rollback":
    case "lock":
    case "unlock":
      return authoriseEnv(input, command.kind, command.env);
  }
}

function authoriseEnv(input: AuthoriseInput, kind: string, env: string): Authorisation {
  const { command, permission, environment } = input;
  if (environment === undefined) {
    return refuse(
      "unknown-environment",
      `${env} is not an environment of this repository's deploy config.`,
    );
  }
  const need = requiredPermission(environment.allow);
  if (need === undefined) {
    return refuse(
      "insufficient-permission",
      `${env} allows nobody to run /${kind} (its allow list is empty).`,
    );
  }
  const allowed = needs(permission, need, `/${kind} ${env}`);
  if (!allowed.ok) return allowed;
  if (command.kind === "deploy" && command.force && permission !== "admin") {
    return refuse(
      "force-needs-admin",
      `--force skips the checks, so it needs admin permission; you have ${permission}.`,
    );
  }
  return { ok: true };
}
