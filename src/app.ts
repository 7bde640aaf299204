import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import type { ApplicationFunctionOptions, Probot } from "probot";
import { createLocalDispatcher, createQueueDispatcher, queueEnv } from "./dispatch/index.js";
import { Engine } from "./engine/index.js";
import type { Dispatcher, JobExecutor, Store } from "./engine/ports.js";
import { KeyedSerial } from "./engine/index.js";
import {
  createCheckRunReporters,
  createConfigCache,
  createSourceFetcher,
  type CheckRunReporters,
  type GithubSource,
} from "./github/index.js";
import { createHandlers, type Handlers } from "./handlers/index.js";
import { healthHandler } from "./http/health.js";
import { createLocalExecutor, defaultInterpreter, discoverInterpreters } from "./runner/index.js";
import { openStore } from "./store/index.js";

/** The `PYLOT_*` settings the App reads (ARCHITECTURE.md §1). */
export interface PylotSettings {
  readonly databaseUrl: string | undefined;
  readonly pythons: string | undefined;
  readonly concurrency: number;
  readonly workdir: string;
  readonly publicUrl: string | undefined;
  /** `local` (the in-process pool, default) or `queue` (BullMQ on PYLOT_REDIS_URL). */
  readonly runner: "local" | "queue";
}

export function readSettings(env: NodeJS.ProcessEnv): PylotSettings {
  const concurrency = Number(env.PYLOT_CONCURRENCY);
  const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);
  return {
    databaseUrl: nonEmpty(env.PYLOT_DATABASE_URL),
    pythons: nonEmpty(env.PYLOT_PYTHONS),
    concurrency:
      Number.isInteger(concurrency) && concurrency > 0 ? concurrency : availableParallelism(),
    workdir: nonEmpty(env.PYLOT_WORKDIR) ?? join(tmpdir(), "pylot"),
    publicUrl: nonEmpty(env.PYLOT_PUBLIC_URL),
    runner: env.PYLOT_RUNNER === "queue" ? "queue" : "local",
  };
}

/** Python used for configs that name no version, when this host has none at all. */
const FALLBACK_PYTHON = "3.12";

export interface PylotAppOptions {
  /** Which events reach which handler (index.ts). */
  readonly routes: (app: Probot, handlers: Handlers) => void;
  /** Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** An open store to use instead of opening PYLOT_DATABASE_URL (tests). */
  readonly store?: Store;
  /** Close the app on SIGTERM/SIGINT so job processes are stopped; default true. */
  readonly handleSignals?: boolean;
}

export interface PylotServices {
  readonly store: Store;
  readonly engine: Engine;
  readonly dispatcher: Dispatcher;
  readonly reporters: CheckRunReporters;
  readonly defaultPython: string;
}

export type PylotApp = ((app: Probot, options: ApplicationFunctionOptions) => Promise<void>) & {
  /** The wired services, once the app function has run. */
  readonly services: () => Promise<PylotServices>;
  /** Stops running jobs, lets check run writes finish, closes the store. */
  readonly close: () => Promise<void>;
};

async function wire(app: Probot, options: PylotAppOptions, log: Logger): Promise<PylotServices> {
  const settings = readSettings(options.env ?? process.env);
  const store = options.store ?? (await openStore({ url: settings.databaseUrl, logger: log }));
  const interpreters = await discoverInterpreters({ pythons: settings.pythons, logger: log });
  const fallback = defaultInterpreter(interpreters);
  if (fallback === undefined)
    log.error({ fallback: FALLBACK_PYTHON }, "no Python interpreter found (set PYLOT_PYTHONS)");
  const fetchSource: (ref: GithubSource, dest: string) => Promise<void> = createSourceFetcher({
    octokitFor: (installationId) => app.auth(installationId),
    logger: log,
    cacheDir: join(settings.workdir, "sources"),
  });
  const executor: JobExecutor = createLocalExecutor({
    workdir: settings.workdir,
    pythons: settings.pythons,
    logger: log,
    fetchSource,
  });
  const reporters = createCheckRunReporters({
    checksFor: async (installationId) => (await app.auth(installationId)).rest.checks,
    store,
    publicUrl: settings.publicUrl,
    logger: log,
  });
  const engine = new Engine({
    store,
    reporterFor: (pipeline) => reporters.reporterFor(pipeline),
    logger: log,
  });
  const dispatcher = makeDispatcher({
    settings,
    env: options.env ?? process.env,
    executor,
    engine,
    log,
  });
  engine.attach(dispatcher);
  await engine.resume({ retryRunning: settings.runner === "local" });
  log.info(
    { concurrency: settings.concurrency, pythons: interpreters.map((i) => i.full) },
    "pylot ready",
  );
  return {
    store,
    engine,
    dispatcher,
    reporters,
    defaultPython: fallback?.version ?? FALLBACK_PYTHON,
  };
}

/** The in-process pool, or BullMQ when PYLOT_RUNNER=queue (jobs then run on `pylot runner`s). */
function makeDispatcher(input: {
  settings: PylotSettings;
  env: NodeJS.ProcessEnv;
  executor: JobExecutor;
  engine: Engine;
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
    const log = app.log.child({ name: "pylot" });
    wired = wire(app, options, log);
    const services = await wired;
    const handlers = createHandlers({
      store: services.store,
      engine: services.engine,
      configs: createConfigCache(),
      commits: new KeyedSerial(),
      defaultPython: services.defaultPython,
      logger: log,
    });
    options.routes(app, handlers);
    fnOptions.addHandler(healthHandler);
    if (options.handleSignals !== false) closeOnSignals(close, log);
  };
  const close = async () => {
    if (wired === undefined) return;
    const { dispatcher, engine, reporters, store } = await wired;
    wired = undefined;
    await dispatcher.close();
    await engine.idle();
    await reporters.idle();
    await store.close();
  };
  const services = () => wired ?? Promise.reject(new Error("the Pylot app has not been loaded"));
  return Object.assign(appFn, { services, close });
}

function closeOnSignals(close: () => Promise<void>, log: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, "stopping: cancelling running jobs");
    close().then(
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
