import { join } from "node:path";
import type { Logger } from "pino";
import type { ApplicationFunctionOptions, Probot } from "probot";
import { createArtifacts, type Artifacts } from "./artifacts/index.js";
import { createAutoDeploys } from "./deploy/auto-deploy.js";
import { createDeployRecovery, type DeployRecovery } from "./deploy/deploy-recovery.js";
import { createDeployReporters } from "./deploy/orchestrate-reporter.js";
import { isDeployPipeline } from "./deploy/orchestrate.js";
import { resumedDeploySecrets } from "./deploy/secrets.js";
import { createLocalDispatcher, createQueueDispatcher, queueEnv } from "./dispatch/index.js";
import { Engine } from "./engine/index.js";
import type { Dispatcher, JobExecutor, Store } from "./engine/ports.js";
import { KeyedSerial } from "./engine/index.js";
import {
  createCheckRunReporters,
  createConfigCache,
  createSourceFetcher,
  type CheckRunReporters,
  type ConfigCache,
  type GithubSource,
} from "./github/index.js";
import { createPullRequestReports } from "./github/pull-request-reports.js";
import { createHandlers, type Handlers } from "./handlers/index.js";
import {
  WEBHOOK_MAX_BYTES,
  capWebhookBodies,
  createOps,
  pylotLogger,
  requireWebhookSecret,
  type Ops,
} from "./http/index.js";
import { depthOf } from "./metrics/index.js";
import { createLocalExecutor, hostSecrets, readSandboxSettings } from "./runner/index.js";
import { chooseDefaultPython, readSettings, type PylotSettings } from "./settings.js";
import { openStore } from "./store/index.js";

export interface PylotAppOptions {
  /** Which events reach which handler (index.ts). */
  readonly routes: (app: Probot, handlers: Handlers) => void;
  /** Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** An open store to use instead of opening PYLOT_DATABASE_URL (tests). */
  readonly store?: Store;
  /** Close the app on SIGTERM/SIGINT so job processes are stopped; default true. */
  readonly handleSignals?: boolean;
  /** Refuse to start without a WEBHOOK_SECRET of the operator's (`npm start`); default false. */
  readonly requireWebhookSecret?: boolean;
}

export interface PylotServices {
  readonly store: Store;
  readonly engine: Engine;
  readonly dispatcher: Dispatcher;
  readonly reporters: CheckRunReporters;
  /** The configs of commits, loaded once each. */
  readonly configs: ConfigCache;
  readonly defaultPython: string;
  /** Badges, health, metrics and graceful shutdown (http/). */
  readonly ops: Ops;
  /** Kept build artifacts; `artifactsFor(repo, sha)` is what a deploy of that commit gets. */
  readonly artifacts: Artifacts;
  /** Finishes deployments a restart interrupted (started once the engine resumed). */
  readonly deployRecovery: DeployRecovery;
}

export type PylotApp = ((app: Probot, options: ApplicationFunctionOptions) => Promise<void>) & {
  /** The wired services, once the app function has run. */
  readonly services: () => Promise<PylotServices>;
  /** Stops running jobs, lets check run writes finish, closes the store. */
  readonly close: () => Promise<void>;
  /**
   * Graceful stop (SIGTERM): refuses webhooks, lets running jobs finish within
   * PYLOT_SHUTDOWN_GRACE_SECONDS, then closes; what still ran is retried at the next start.
   */
  readonly shutdown: () => Promise<void>;
};

async function wire(app: Probot, options: PylotAppOptions, log: Logger): Promise<PylotServices> {
  const settings = readSettings(options.env ?? process.env);
  const store = options.store ?? (await openStore({ url: settings.databaseUrl, logger: log }));
  const artifacts = createArtifacts({
    workdir: settings.workdir,
    index: store.artifacts,
    retentionDays: (options.env ?? process.env).PYLOT_ARTIFACT_RETENTION_DAYS,
    logger: log,
  });
  const ops = createOps({
    env: options.env ?? process.env,
    store,
    artifacts,
    logger: log,
    queueDepth: () => depthOf(dispatcher),
    localJobs: settings.runner === "local",
  });
  const auth = async (installationId: number) =>
    ops.instrument(await app.auth(installationId), installationId);
  const defaultPython = await chooseDefaultPython(settings, log);
  const fetchSource: (ref: GithubSource, dest: string) => Promise<void> = createSourceFetcher({
    octokitFor: auth,
    logger: log,
    cacheDir: join(settings.workdir, "sources"),
  });
  const localExecutor = createLocalExecutor({
    workdir: settings.workdir,
    pythons: settings.pythons,
    logger: log,
    fetchSource,
    // process.env as well: a job can read the bot's own environment through /proc.
    redact: [...hostSecrets(process.env), ...hostSecrets(options.env ?? {})],
    sandbox: readSandboxSettings(options.env ?? process.env),
  });
  // A PYLOT_RUNNER_UID this host cannot honour stops the start, rather than jobs running as root.
  if (settings.runner === "local") await localExecutor.isolation();
  const executor: JobExecutor = localExecutor;
  const pullRequests = createPullRequestReports({
    octokitFor: auth,
    store,
    logger: log,
  });
  const reporters = createCheckRunReporters({
    plannerGraceMs: settings.runner === "queue" ? 30_000 : 0,
    fresh: store,
    checksFor: async (installationId) => (await auth(installationId)).rest.checks,
    store,
    publicUrl: settings.publicUrl,
    secret: settings.badgeSecret,
    logger: log,
    comments: pullRequests.comments,
  });
  // Deploys start pipelines of their own: an automatic deploy, an automatic rollback.
  const deployEngine: Pick<Engine, "start"> = { start: (input) => engine.start(input) };
  const deploys = createDeployReporters({
    claimMs: settings.deployClaimMs,
    octokitFor: auth,
    store,
    engine: deployEngine,
    publicUrl: settings.publicUrl,
    badgeSecret: settings.badgeSecret,
    env: options.env ?? process.env,
    logger: log,
  });
  // One cache of commit configs: handlers load them, automatic deploys look at them again.
  const configs = createConfigCache();
  const autoDeploys = createAutoDeploys({
    octokitFor: auth,
    store,
    configs,
    engine: deployEngine,
    publicUrl: settings.publicUrl,
    badgeSecret: settings.badgeSecret,
    env: options.env ?? process.env,
    defaultPython,
    logger: log,
  });
  const engine = new Engine({
    store,
    reporterFor: (pipeline) =>
      ops.observe(
        isDeployPipeline(pipeline)
          ? deploys.reporterFor(pipeline)
          : autoDeploys.wrap(reporters.reporterFor(pipeline)),
      ),
    // A deploy job resumed after a restart gets its secrets again (the engine keeps them in
    // memory only); other pipelines never have any.
    secretsFor: (pipeline) => {
      if (!isDeployPipeline(pipeline)) return {};
      const step = pipeline.plan.jobs.flatMap((job) => job.steps).find((s) => s.kind === "deploy");
      return step?.kind === "deploy" ? resumedDeploySecrets(options.env ?? process.env, step) : {};
    },
    artifacts: artifacts.keeper,
    logger: log,
    gates: pullRequests.gates,
  });
  const dispatcher = makeDispatcher({
    settings,
    env: options.env ?? process.env,
    executor,
    engine,
    store,
    artifacts,
    log,
  });
  engine.attach(dispatcher);
  artifacts.startSweeping();
  await engine.resume({ retryRunning: settings.runner === "local" });
  const deployRecovery = createDeployRecovery({
    store,
    engine,
    deploys,
    claimMs: settings.deployClaimMs,
    octokitFor: auth,
    env: options.env ?? process.env,
    logger: log,
  });
  deployRecovery.start();
  log.info(
    { runner: settings.runner, concurrency: settings.concurrency, defaultPython },
    "pylot ready",
  );
  return {
    store,
    engine,
    dispatcher,
    reporters,
    configs,
    defaultPython,
    ops,
    artifacts,
    deployRecovery,
  };
}

/** The in-process pool, or BullMQ when PYLOT_RUNNER=queue (jobs then run on `pylot runner`s). */
function makeDispatcher(input: {
  settings: PylotSettings;
  env: NodeJS.ProcessEnv;
  executor: JobExecutor;
  engine: Engine;
  store: Store;
  artifacts: Artifacts;
  log: Logger;
}): Dispatcher {
  const { settings, executor, engine, log } = input;
  if (settings.runner === "local")
    return createLocalDispatcher({
      executor,
      concurrency: settings.concurrency,
      events: engine,
      logger: log,
    });
  const queue = queueEnv(input.env);
  if (queue.url === undefined)
    throw new Error("PYLOT_RUNNER=queue needs PYLOT_REDIS_URL (redis://host:6379)");
  return createQueueDispatcher({
    connection: queue.url,
    ...(queue.prefix === undefined ? {} : { prefix: queue.prefix }),
    noRunnerTimeoutMs: queue.noRunnerTimeoutMs,
    events: engine,
    artifacts: input.artifacts.files,
    // Its sweep fails, with the reason, jobs the store has open and Redis lost.
    store: input.store,
    logger: log,
  });
}

/**
 * The Probot app function: opens the store, finds the host's Pythons, wires runner, dispatcher,
 * engine and check run reporter, resumes unfinished pipelines, then routes events to handlers.
 */
export function createPylotApp(options: PylotAppOptions): PylotApp {
  let wired: Promise<PylotServices> | undefined;
  const appFn = async (app: Probot, fnOptions: ApplicationFunctionOptions) => {
    const log = pylotLogger(app.log);
    const env = options.env ?? process.env;
    if (options.requireWebhookSecret === true) requireWebhookSecret(env);
    capWebhookBodies(app, {
      path: env.WEBHOOK_PATH || "/api/github/webhooks",
      maxBytes: WEBHOOK_MAX_BYTES,
      logger: log,
    });
    wired = wire(app, options, log);
    const services = await wired;
    const handlers = createHandlers({
      store: services.ops.webhooks.watchDeliveries(services.store),
      engine: services.engine,
      configs: services.configs,
      commits: new KeyedSerial(),
      defaultPython: services.defaultPython,
      logger: log,
      comments: services.reporters,
      chatops: {
        env: options.env ?? process.env,
        publicUrl: readSettings(options.env ?? process.env).publicUrl,
        badgeSecret: (options.env ?? process.env).PYLOT_BADGE_SECRET || undefined,
      },
    });
    options.routes(app, services.ops.webhooks.guardHandlers(handlers));
    services.ops.subscribe(app);
    fnOptions.addHandler(services.ops.http);
    if (options.handleSignals !== false) closeOnSignals(shutdown, log);
  };
  const close = async () => {
    if (wired === undefined) return;
    const { dispatcher, engine, reporters, store, artifacts, deployRecovery } = await wired;
    wired = undefined;
    await dispatcher.close();
    await deployRecovery.close();
    await engine.idle();
    await reporters.idle();
    await artifacts.close();
    await store.close();
  };
  const shutdown = async () => {
    if (wired === undefined) return;
    await (await wired).ops.drain();
    await close();
  };
  const services = () => wired ?? Promise.reject(new Error("the Pylot app has not been loaded"));
  return Object.assign(appFn, { services, close, shutdown });
}

/** The first signal stops gracefully (see `shutdown`); a second one ends the process at once. */
function closeOnSignals(shutdown: () => Promise<void>, log: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, "stopping");
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
