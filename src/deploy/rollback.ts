import { condemnedBy, hasSucceeded, historyOf, shortSha } from "./history.js";
import type { DeploymentRecord, RollbackRequest } from "./types.js";

export const ROLLBACK_REFUSALS = [
  "no-current-deployment",
  "no-earlier-deployment",
  "target-not-found",
  "target-ambiguous",
  "target-not-successful",
  "target-is-current",
] as const;
export type RollbackRefusal = (typeof ROLLBACK_REFUSALS)[number];

export type RollbackChoice =
  | { readonly ok: true; readonly target: DeploymentRecord; readonly current: DeploymentRecord }
  | { readonly ok: false; readonly reason: RollbackRefusal; readonly message: string };

export interface RollbackInput {
  readonly env: string;
  /** Every deployment known for the repository, any order (other environments are ignored). */
  readonly history: readonly DeploymentRecord[];
  /** `to <sha|id>`; absent: the last good deployment before the current one. */
  readonly requested?: RollbackRequest | undefined;
}

function refuse(reason: RollbackRefusal, message: string): RollbackChoice {
  return { ok: false, reason, message };
}

function describe(record: DeploymentRecord): string {
  return `deployment ${record.id} (${shortSha(record.sha)})`;
}

/**
 * Chooses what `/rollback` deploys. The current deployment is the newest that is `success`
 * (GitHub's active one); a running or failed newer deployment never replaced it. Without a
 * request the target is the newest earlier deployment that succeeded, of another commit, and not
 * of a commit someone already rolled back from: rolling back twice walks further back instead of
 * bouncing to the commit the first rollback left.
 */
export function rollbackTarget(input: RollbackInput): RollbackChoice {
  const { env, requested } = input;
  const records = historyOf(env, input.history);
  const currentIndex = records.findIndex((record) => record.state === "success");
  const current = records[currentIndex];
  if (current === undefined) {
    return refuse(
      "no-current-deployment",
      `Nothing is deployed to ${env}, so there is nothing to roll back.`,
    );
  }
  if (requested !== undefined) return namedTarget(records, current, requested, env);
  const condemned = condemnedBy(input.history);
  const target = records
    .slice(currentIndex + 1)
    .find((record) => hasSucceeded(record) && record.sha !== current.sha && !condemned(record));
  if (target === undefined) {
    return refuse(
      "no-earlier-deployment",
      `No earlier successful deployment of another commit to ${env} before ${describe(current)}; nothing to roll back to.`,
    );
  }
  return { ok: true, target, current };
}

function namedTarget(
  records: readonly DeploymentRecord[],
  current: DeploymentRecord,
  requested: RollbackRequest,
  env: string,
): RollbackChoice {
  const matches =
    requested.kind === "deployment"
      ? records.filter((record) => record.id === requested.id)
      : records.filter((record) => record.sha.startsWith(requested.sha));
  const named =
    requested.kind === "deployment" ? `deployment ${requested.id}` : `commit ${requested.sha}`;
  if (matches.length === 0) {
    return refuse("target-not-found", `No deployment of ${named} to ${env} was found.`);
  }
  const shas = new Set(matches.map((record) => record.sha));
  if (shas.size > 1) {
    const list = [...shas].map((sha) => sha.slice(0, 12)).join(", ");
    return refuse(
      "target-ambiguous",
      `${named} matches several commits deployed to ${env} (${list}); give more characters.`,
    );
  }
  const target = matches.find(hasSucceeded);
  if (target === undefined) {
    const states = [...new Set(matches.map((record) => record.state))].join(", ");
    return refuse(
      "target-not-successful",
      `The deployment of ${named} to ${env} never succeeded (${states}); only a successful one can be rolled back to.`,
    );
  }
  if (target.sha === current.sha) {
    return refuse("target-is-current", `${named} is what ${env} runs now (${describe(current)}).`);
  }
  return { ok: true, target, current };
}
