import type { CheckState } from "./types.js";

export const SUMMARY_CHECK = "Pylot";
const DEPLOY_CHECK_PREFIX = "Pylot / deploy (";

/** Job checks that let a deployment through; anything else (including unknown values) blocks. */
const GREEN: readonly string[] = ["success", "neutral", "skipped"];

export type ChecksVerdict =
  | { readonly kind: "green" }
  | { readonly kind: "missing" }
  | {
      readonly kind: "not-green";
      readonly failing: readonly CheckState[];
      readonly pending: readonly CheckState[];
    };

/**
 * Pylot's own checks gate deployments; `Pylot / deploy (…)` ones do not (a failed deploy must
 * not block deploying again) and other apps' checks are branch protection's business.
 */
export function gatingChecks(checks: readonly CheckState[]): CheckState[] {
  return checks.filter(
    (check) =>
      (check.name === SUMMARY_CHECK || check.name.startsWith("Pylot / ")) &&
      !check.name.startsWith(DEPLOY_CHECK_PREFIX),
  );
}

function isGreen(check: CheckState): boolean {
  if (check.conclusion === null) return false;
  // A neutral summary is the fork gate waiting for `/ok-to-test`: nothing ran.
  if (check.name === SUMMARY_CHECK) return check.conclusion === "success";
  return GREEN.includes(check.conclusion);
}

export function checksVerdict(checks: readonly CheckState[]): ChecksVerdict {
  const gating = gatingChecks(checks);
  if (gating.length === 0) return { kind: "missing" };
  const pending = gating.filter(
    (check) => check.status !== "completed" || check.conclusion === null,
  );
  const failing = gating.filter((check) => !pending.includes(check) && !isGreen(check));
  if (pending.length === 0 && failing.length === 0) return { kind: "green" };
  return { kind: "not-green", failing, pending };
}

/** "Pylot / lint (failure)"; pending ones show their status. */
export function describeCheck(check: CheckState): string {
  const state =
    check.status === "completed" && check.conclusion !== null ? check.conclusion : check.status;
  return `${check.name} (${state.replace(/_/g, " ")})`;
}
