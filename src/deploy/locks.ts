import type { Permission } from "../config/schema.js";
import type { EnvLock } from "./types.js";

export interface LockRequest {
  readonly env: string;
  readonly pr: number;
  readonly actor: string;
  readonly reason?: string | undefined;
  /** ISO 8601: when the command was accepted; becomes the lock's `since`. */
  readonly at: string;
}

export const LOCK_REFUSALS = ["held-by-other", "not-holder"] as const;
export type LockRefusal = (typeof LOCK_REFUSALS)[number];

/**
 * What to do with a `/lock` or `/unlock`. The store applies `acquire`/`release` with a
 * compare-and-set on the lock it was decided from, so two replicas cannot both win.
 */
export type LockOutcome =
  | { readonly kind: "acquire"; readonly lock: EnvLock }
  | { readonly kind: "already-held"; readonly lock: EnvLock }
  | {
      readonly kind: "release";
      readonly lock: EnvLock;
      /** An admin released another pull request's lock: say so in the reply. */
      readonly override: boolean;
    }
  | { readonly kind: "nothing-to-release"; readonly env: string }
  | {
      readonly kind: "refused";
      readonly reason: LockRefusal;
      readonly lock: EnvLock;
      readonly message: string;
    };

export interface LockDecisionInput {
  readonly kind: "lock" | "unlock";
  /** The environment's lock now; undefined when free. */
  readonly current: EnvLock | undefined;
  readonly request: LockRequest;
  /** The commenter's permission; only `admin` may release another pull request's lock. */
  readonly permission: Permission | "none";
}

/** "2024-05-01 09:30 UTC"; unparseable input is shown as given. */
export function formatSince(iso: string): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Plain text naming who holds a lock, for refusals. */
export function describeLock(lock: EnvLock): string {
  const why = lock.reason === undefined || lock.reason === "" ? "" : `: ${lock.reason}`;
  return `${lock.env} is locked by PR #${lock.pr} (${lock.actor}) since ${formatSince(lock.since)}${why}`;
}

/** A lock stops a deployment for `pr` unless that pull request holds it; without a PR, any does. */
export function lockBlocks(lock: EnvLock | undefined, pr: number | undefined): lock is EnvLock {
  return lock !== undefined && lock.pr !== pr;
}

export function lockDecision(input: LockDecisionInput): LockOutcome {
  const { current, request } = input;
  if (input.kind === "lock") {
    if (current === undefined) {
      const lock: EnvLock = {
        env: request.env,
        pr: request.pr,
        actor: request.actor,
        since: request.at,
        ...(request.reason === undefined || request.reason === ""
          ? {}
          : { reason: request.reason }),
      };
      return { kind: "acquire", lock };
    }
    if (current.pr === request.pr) return { kind: "already-held", lock: current };
    return {
      kind: "refused",
      reason: "held-by-other",
      lock: current,
      message: `${describeLock(current)}.`,
    };
  }
  if (current === undefined) return { kind: "nothing-to-release", env: request.env };
  if (current.pr === request.pr) return { kind: "release", lock: current, override: false };
  if (input.permission === "admin") return { kind: "release", lock: current, override: true };
  return {
    kind: "refused",
    reason: "not-holder",
    lock: current,
    message: `${describeLock(current)}. Only that pull request or an admin can unlock it.`,
  };
}

/** Merging or closing a pull request releases every lock it holds. */
export function locksToReleaseOnClose(pr: number, locks: readonly EnvLock[]): EnvLock[] {
  return locks.filter((lock) => lock.pr === pr);
}
