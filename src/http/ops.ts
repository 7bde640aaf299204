import type { Logger } from "pino";
import type { Probot } from "probot";
import { checkRedis, queueSettings } from "../dispatch/index.js";
import type { Reporter, Store } from "../engine/ports.js";
import {
  createMetrics,
  createOctokitInstrument,
  metricsObserver,
  observeReporter,
  type HookableOctokit,
  type PipelineObserver,
  type PylotMetrics,
} from "../metrics/index.js";
import type { ArtifactFiles } from "../artifacts/file-store.js";
import type { ArtifactIndex } from "../engine/ports.js";
import { createArtifactHandler } from "./artifacts.js";
import { createBadgeHandler } from "./badges.js";
import { createReadinessHandler, healthHandler } from "./health.js";
import { Lifecycle, drain, type DrainOutcome } from "./lifecycle.js";
import { createMetricsHandler } from "./metrics-route.js";
import { createPipelinePageHandler } from "./pipeline-page.js";
import { checkReadiness, type CheckResult } from "./readiness.js";
import { createRepositoryRecorder } from "./repositories.js";
import { firstMatch, type HttpHandler } from "./respond.js";
import { readOpsSettings, type OpsSettings } from "./settings.js";
import { createWebhookGuard, type WebhookGuard } from "./webhook-guard.js";

/** How long a readiness check may take before it counts as failed. */
const READINESS_TIMEOUT_MS = 2000;

export interface OpsOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly store: Store;
  readonly logger: Logger;
  /** Jobs waiting for a runner slot, read at scrape time; undefined when unknown. */
  readonly queueDepth: () => number | undefined | Promise<number | undefined>;
  /** True when jobs run in this process (PYLOT_RUNNER=local): shutdown lets them finish. */
  readonly localJobs: boolean;
  /** The kept build artifacts, served at `/artifacts/…`; no route without them. */
  readonly artifacts?: { readonly index: ArtifactIndex; readonly files: ArtifactFiles };
}

/** The operations surface of one app instance: HTTP routes, metrics and graceful shutdown. */
export interface Ops {
  readonly settings: OpsSettings;
  readonly metrics: PylotMetrics;
  readonly lifecycle: Lifecycle;
  readonly webhooks: WebhookGuard;
  /** `/healthz`, `/readyz`, `/metrics` and `/badges/…`, for Probot's `addHandler`. */
  readonly http: HttpHandler;
  /** Decorates a pipeline's Reporter: metrics, and the drain's count of open jobs. */
  observe(reporter: Reporter): Reporter;
  /** Counts an Octokit instance's requests (`app.auth(id)` results). */
  instrument<O extends HookableOctokit>(octokit: O, installationId?: number): O;
  /** Listens to every delivery (repository visibility) and to webhook errors (rejections). */
  subscribe(app: Pick<Probot, "onAny" | "onError">): void;
  /** Refuses webhooks from now on and waits for open work, at most the grace period. */
  drain(): Promise<DrainOutcome>;
}

export function createOps(options: OpsOptions): Ops {
  const settings = readOpsSettings(options.env);
  const log = options.logger;
  const metrics = createMetrics({ queueDepth: options.queueDepth });
  const lifecycle = new Lifecycle({ trackJobs: options.localJobs });
  const hook = createOctokitInstrument(metrics);
  const observers: readonly PipelineObserver[] = [metricsObserver(metrics), lifecycle.observer];
  const webhooks = createWebhookGuard({ metrics, lifecycle, instrument: hook, logger: log });
  const { redisUrl } = settings;
  const redis =
    redisUrl === undefined
      ? undefined
      : (): Promise<CheckResult> => checkRedis(queueSettings(redisUrl), READINESS_TIMEOUT_MS);
  const readiness = () =>
    checkReadiness({
      store: options.store,
      redis,
      draining: () => lifecycle.draining,
      timeoutMs: READINESS_TIMEOUT_MS,
    });
  const http = firstMatch([
    healthHandler,
    createReadinessHandler(readiness),
    createMetricsHandler({ registry: metrics.registry, token: settings.metricsToken, logger: log }),
    createBadgeHandler({ store: options.store, secret: settings.badgeSecret, logger: log }),
    ...(options.artifacts === undefined
      ? []
      : [
          createArtifactHandler({
            ...options.artifacts,
            store: options.store,
            secret: settings.badgeSecret,
            logger: log,
          }),
        ]),
    createPipelinePageHandler({
      store: options.store,
      secret: settings.badgeSecret,
      publicUrl: settings.publicUrl,
      logger: log,
    }),
  ]);
  const recordRepository = createRepositoryRecorder({ store: options.store, logger: log });
  return {
    settings,
    metrics,
    lifecycle,
    webhooks,
    http,
    observe: (reporter) => observeReporter(reporter, observers),
    instrument: (octokit, installationId) =>
      hook(octokit, installationId === undefined ? "app" : String(installationId)),
    subscribe(app) {
      app.onAny(async (context) => {
        if (!lifecycle.draining) await recordRepository(context);
      });
      app.onError((error) => {
        webhooks.onError(error);
      });
    },
    drain: () => drain(lifecycle, { graceMs: settings.graceMs, logger: log }),
  };
}
