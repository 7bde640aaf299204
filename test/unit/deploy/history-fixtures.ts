import type { DeploymentRecord, DeploymentState } from "../../../src/deploy/types.js";

/** Full SHAs that read well in messages: "aaaaaaa", "bbbbbbb", … */
export const A = "a".repeat(40);
export const B = "b".repeat(40);
export const C = "c".repeat(40);
export const D = "d".repeat(40);
export const E = "e".repeat(40);

/** A deployment whose createdAt follows its id (one minute apart), as GitHub's do. */
export function dep(
  id: number,
  sha: string,
  state: DeploymentState,
  extra: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    id,
    sha,
    environment: "staging",
    createdAt: new Date(Date.UTC(2024, 4, 1, 9) + id * 60_000).toISOString(),
    state,
    creator: "pylot[bot]",
    task: "deploy",
    ...extra,
  };
}

/** A rollback deployment that replaced deployment `from`. */
export function rollbackDep(
  id: number,
  sha: string,
  state: DeploymentState,
  from: number,
): DeploymentRecord {
  return dep(id, sha, state, { task: "deploy:rollback", rollbackFrom: from });
}
