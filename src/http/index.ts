/**
 * The `http/` capability: what Pylot serves besides webhooks (badges, `/healthz`, `/readyz`,
 * `/metrics`) and how an app instance runs in production (webhook guard, repository records,
 * graceful shutdown). `createOps` wires it all for app.ts; the pure parts are exported for
 * ChatOps (`badgeMarkdown`) and tests.
 */
export { createOps, type Ops, type OpsOptions } from "./ops.js";
export { readOpsSettings, DEFAULT_GRACE_SECONDS, type OpsSettings } from "./settings.js";
export { pylotLogger, REDACT_PATHS } from "./logging.js";
export { Lifecycle, drain, type DrainOutcome } from "./lifecycle.js";
export {
  ShuttingDownError,
  createWebhookGuard,
  installationLabel,
  isUnverifiedDelivery,
  type DeliveryContext,
  type WebhookGuard,
} from "./webhook-guard.js";
export {
  WEBHOOK_MAX_BYTES,
  capBodies,
  capWebhookBodies,
  type BodyCapOptions,
} from "./webhook-body-cap.js";
export { WebhookSecretError, requireWebhookSecret } from "./webhook-secret.js";
export { healthHandler, createReadinessHandler } from "./health.js";
export { checkReadiness, summarize, type CheckResult, type Readiness } from "./readiness.js";
export { bearerMatches, createMetricsHandler } from "./metrics-route.js";
export { createBadgeHandler, type BadgeRouteOptions, type BadgeStore } from "./badges.js";
export {
  BADGE_KINDS,
  isBranchName,
  isRepoName,
  parseBadgeUrl,
  type BadgeKind,
  type BadgeRequest,
  type ParsedBadgeUrl,
} from "./badge-request.js";
export {
  NOT_FOUND_FACE,
  STATUS_STATES,
  coverageColor,
  coverageFace,
  coverageOf,
  deployFace,
  findCheck,
  formatPercent,
  stateOf,
  statusFace,
  statusState,
  type BadgeFace,
  type StatusInput,
  type StatusState,
} from "./badge-state.js";
export { matchesEtag, renderBadge, type RenderedBadge } from "./badge-render.js";
export { badgeToken, verifyBadgeToken, type BadgeTokenInput } from "./badge-token.js";
export {
  badgeMarkdown,
  badgeUrls,
  type BadgeMarkdownOptions,
  type BadgeUrls,
} from "./badge-markdown.js";
export { createRepositoryRecorder, repositoriesOf } from "./repositories.js";
export { NO_CACHE, firstMatch, type HttpHandler } from "./respond.js";
