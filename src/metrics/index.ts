/**
 * The `metrics/` capability: Pylot's Prometheus series in a registry per app instance, fed by a
 * Reporter decorator (pipelines and jobs), Octokit request hooks (GitHub API) and the webhook
 * guard (deliveries). `http/metrics-route.ts` serves them.
 */
export {
  UNVERIFIED_EVENT,
  WEBHOOK_OUTCOMES,
  createMetrics,
  depthOf,
  type PylotMetrics,
  type PylotMetricsOptions,
  type WebhookOutcome,
} from "./registry.js";
export { createOctokitInstrument, rateLimitRemaining, type HookableOctokit } from "./octokit.js";
export { jobSeconds, metricsObserver, observeReporter, type PipelineObserver } from "./observer.js";
