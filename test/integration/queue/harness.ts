import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { Artifacts } from "../../../src/artifacts/index.js";
import { PylotConfigSchema, type PylotConfigInput } from "../../../src/config/schema.js";
import { loadProjectConfig } from "../../../src/config/index.js";
import {
  createQueueDispatcher,
  createQueueRunner,
  type QueueDispatcher,
  type QueueRunner,
  type StallSettings,
} from "../../../src/dispatch/index.js";
import type { BlobLimits } from "../../../src/dispatch/queue/blobs.js";
import { Engine } from "../../../src/engine/index.js";
import type {
  DispatchRequest,
  JobExecutor,
  PipelineView,
  Store,
} from "../../../src/engine/ports.js";
import { plan } from "../../../src/pipeline/index.js";
import { createLocalExecutor } from "../../../src/runner/index.js";
import { openStore } from "../../../src/store/index.js";
import { recordingReporter, silentLogger } from "../../helpers/engine.js";
import { removeKeys, TEST_REDIS_URL, uniquePrefix } from "../../helpers/redis.js";
import { hostPids } from "../../helpers/processes.js";

/** Set-up of the queue tests: real Redis, real engine and store, runners in this process. */

export const logger = silentLogger;

/** How long the replicas of these tests let a job be missing from Redis before it is lost. */
export const LOST_JOB_GRACE_MS = 2_000;

/** Short stall settings so a dead runner's job comes back within seconds. */
export const FAST_STALL: StallSettings = {
  lockDurationMs: 2_000,
  stalledIntervalMs: 1_000,
  maxStalledCount: 2,
};

export function fixture(name: string): string {
  return resolve(import.meta.dirname, "../../fixtures/projects", name);
}

/** Everything one test made, undone in reverse order by `cleanup()`. */
export class Cluster {
  readonly prefix = uniquePrefix();
  readonly #cleanups: (() => Promise<unknown>)[] = [];
  #store: Promise<Store> | undefined;

  /** The store shared by this cluster's replicas, as PostgreSQL is in production. */
  store(): Promise<Store> {
    this.#store ??= openStore({ url: "sqlite::memory:", logger }).then((store) => {
      this.defer(() => store.close());
      return store;
    });
    return this.#store;
  }

  defer(cleanup: () => Promise<unknown>): void {
    this.#cleanups.push(cleanup);
  }

  async cleanup(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup();
    await removeKeys(this.prefix);
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "pylot-queue-"));
    this.defer(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /**
   * A bot replica: an engine on the shared store with a queue dispatcher; with `artifacts`, it
   * keeps what builds produce there, as the App does.
   */
  async replica(options: ReplicaInput = {}): Promise<Replica> {
    const reporter = recordingReporter();
    const { artifacts } = options;
    const store = await this.store();
    const engine = new Engine({
      store,
      reporterFor: () => reporter,
      logger,
      ...(artifacts === undefined ? {} : { artifacts: artifacts.keeper }),
    });
    const applied = { started: 0, finished: 0 };
    const dispatcher = createQueueDispatcher({
      connection: TEST_REDIS_URL,
      prefix: this.prefix,
      // Counts what this replica applies, then applies it.
      events: {
        started: (jobId, attempt, at) => {
          applied.started += 1;
          return engine.started(jobId, attempt, at);
        },
        finished: (result) => {
          applied.finished += 1;
          return engine.finished(result);
        },
      },
      logger: options.logger ?? logger,
      noRunnerTimeoutMs: options.noRunnerTimeoutMs ?? 60_000,
      sweepIntervalMs: 250,
      // Short, so that every queue test would also catch a job wrongly taken for lost.
      store,
      lostJobGraceMs: options.lostJobGraceMs ?? LOST_JOB_GRACE_MS,
      ...(artifacts === undefined ? {} : { artifacts: artifacts.files }),
    });
    engine.attach(dispatcher);
    this.defer(async () => {
      await dispatcher.close();
      await engine.idle();
    });
    await dispatcher.ready();
    return { engine, dispatcher, reporter, applied };
  }

  /** A runner in this process with the real JobExecutor (or `wrap` around it). */
  async runner(options: RunnerInput): Promise<{ runner: QueueRunner; workdir: string }> {
    const workdir = await this.tempDir();
    const real = createLocalExecutor({ workdir, logger, killGraceMs: 500 });
    const runner = createQueueRunner({
      connection: TEST_REDIS_URL,
      prefix: this.prefix,
      name: options.name ?? "runner-a",
      pythons: options.pythons,
      labels: ["linux"],
      concurrency: options.concurrency ?? 2,
      executor: options.wrap?.(real) ?? real,
      logger,
      stall: FAST_STALL,
      heartbeatMs: 500,
      inputsDir: join(workdir, "inputs"),
      ...(options.blobs === undefined ? {} : { blobs: options.blobs }),
    });
    this.defer(() => runner.close({ graceMs: 0 }));
    await runner.ready();
    return { runner, workdir };
  }
}

export interface ReplicaInput {
  readonly noRunnerTimeoutMs?: number;
  readonly artifacts?: Artifacts;
  readonly lostJobGraceMs?: number;
  /** The dispatcher's logger (the engine's stays silent). */
  readonly logger?: Logger;
}

export interface Replica {
  readonly engine: Engine;
  readonly dispatcher: QueueDispatcher;
  readonly reporter: ReturnType<typeof recordingReporter>;
  /** Runner messages this replica applied to its engine. */
  readonly applied: { readonly started: number; readonly finished: number };
}

export interface RunnerInput {
  readonly pythons: readonly string[];
  readonly name?: string;
  readonly concurrency?: number;
  readonly wrap?: (executor: JobExecutor) => JobExecutor;
  /** Size cap and TTL of what the runner sends through Redis. */
  readonly blobs?: BlobLimits;
}

/** A JobExecutor that records what it was asked to run, then runs it with `inner`. */
export function recording(inner: JobExecutor): JobExecutor & { requests: DispatchRequest[] } {
  const requests: DispatchRequest[] = [];
  return {
    requests,
    execute(request, options) {
      requests.push(request);
      return inner.execute(request, options);
    },
  };
}

/** Starts the pipeline of a fixture project, with its own config or `config`. */
export async function startProject(
  engine: Engine,
  project: string,
  config?: PylotConfigInput,
): Promise<PipelineView> {
  const dir = fixture(project);
  const loaded = await loadProjectConfig(dir);
  if (loaded.kind !== "ok") throw new Error(`fixture ${project} has no valid config`);
  const parsed = config === undefined ? loaded.config : PylotConfigSchema.parse(config);
  return engine.start({
    trigger: { source: "cli", event: "local", sha: "abc123", ref: "refs/heads/main" },
    plan: plan(parsed, { defaultPython: "3.12" }),
    source: { kind: "dir", path: dir },
    secrets: { DEPLOY_TOKEN: "s3cret-value" },
  });
}

/** A job's key → [state, conclusion, attempt]. */
export function outcomes(view: PipelineView): Record<string, [string, string | null, number]> {
  return Object.fromEntries(
    view.jobs.map((job) => [job.spec.key, [job.state, job.conclusion, job.attempt]]),
  );
}

/** The host pids of the sleeper fixture's two processes, once it printed them ([] before). */
export async function sleeperPids(workdir: string, pipelineId: string, key: string) {
  const log = join(workdir, "reports", pipelineId, key, "job.log");
  const match = /sleeper pid (\d+) grandchild pid (\d+)/.exec(
    await readFile(log, "utf8").catch(() => ""),
  );
  // Printed in the job's PID namespace: mapped to this host's pids while they run.
  return match === null ? [] : hostPids(workdir, [Number(match[1]), Number(match[2])]);
}

/** A config that runs one quick command on a bare interpreter. */
export function commandConfig(python: readonly string[], run: string): PylotConfigInput {
  return {
    python: [...python],
    install: [],
    lint: { flake8: false, black: false, pylint: false },
    typecheck: { mypy: false },
    security: { bandit: false },
    test: { run, coverage: false },
  };
}
