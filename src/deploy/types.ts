/** The `state` of a deployment's latest status in GitHub's Deployments API. */
export const DEPLOYMENT_STATES = [
  "success",
  "failure",
  "error",
  "inactive",
  "in_progress",
  "queued",
  "pending",
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export const DEPLOY_TASKS = ["deploy", "deploy:rollback"] as const;
export type DeployTask = (typeof DEPLOY_TASKS)[number];

/** One past deployment, as read from the Deployments API (or its mirror in the store). */
export interface DeploymentRecord {
  readonly id: number;
  /** The full commit SHA that was deployed. */
  readonly sha: string;
  readonly environment: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The state of the latest status; a deployment without statuses is `pending`. */
  readonly state: DeploymentState;
  /** Login of whoever created it (for Pylot: the app's bot login; the human is in `actor`). */
  readonly creator: string;
  /** GitHub's free-form `task`; Pylot writes `deploy` or `deploy:rollback`. */
  readonly task: string;
  /** From Pylot's payload: the person who asked. */
  readonly actor?: string;
  /** From Pylot's payload: the pull request it came from. */
  readonly pr?: number;
  /** From Pylot's payload of a rollback: the deployment it replaced (judged bad). */
  readonly rollbackFrom?: number;
}

/** An environment held by a pull request. */
export interface EnvLock {
  readonly env: string;
  readonly pr: number;
  readonly actor: string;
  /** Plain text, already sanitised by the command parser. */
  readonly reason?: string;
  /** ISO 8601. */
  readonly since: string;
}

/** A check run on the head commit, as the Checks API reports it. */
export interface CheckState {
  readonly name: string;
  /** `queued`, `in_progress`, `completed`, … */
  readonly status: string;
  /** Set once completed: `success`, `failure`, `neutral`, `skipped`, … */
  readonly conclusion: string | null;
}

/** What `/rollback <env> to …` names. */
export type RollbackRequest =
  | { readonly kind: "sha"; readonly sha: string }
  | { readonly kind: "deployment"; readonly id: number };
