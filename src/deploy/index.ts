/**
 * Deployment decisions, all pure: gates, rollback target selection, locks, secrets. The handler
 * reads history, checks and locks from GitHub and the store, asks these functions, and performs
 * what they return.
 */
export {
  DEPLOYMENT_STATES,
  DEPLOY_TASKS,
  type CheckState,
  type DeploymentRecord,
  type DeploymentState,
  type DeployTask,
  type EnvLock,
  type RollbackRequest,
} from "./types.js";
export {
  DeploymentPayloadSchema,
  condemnedBy,
  deploymentPayload,
  hasSucceeded,
  historyOf,
  isRunning,
  newestFirst,
  readDeploymentPayload,
  shortSha,
  type DeploymentPayload,
} from "./history.js";
export {
  SUMMARY_CHECK,
  checksVerdict,
  describeCheck,
  gatingChecks,
  type ChecksVerdict,
} from "./checks.js";
export {
  GATE_REFUSALS,
  RUNNING_STALE_MS,
  deployGate,
  isProductionEnvironment,
  type DeployGateInput,
  type DeployPlan,
  type GateRefusal,
  type GateResult,
} from "./gate.js";
export {
  ROLLBACK_REFUSALS,
  rollbackTarget,
  type RollbackChoice,
  type RollbackInput,
  type RollbackRefusal,
} from "./rollback.js";
export {
  LOCK_REFUSALS,
  describeLock,
  formatSince,
  lockDecision,
  locksToReleaseOnClose,
  type LockDecisionInput,
  type LockOutcome,
  type LockRefusal,
  type LockRequest,
} from "./locks.js";
export {
  deploySecrets,
  redact,
  secretKey,
  secretKeyCollisions,
  type DeploySecretsOptions,
} from "./secrets.js";
