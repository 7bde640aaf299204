import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createQueueDispatcher,
  createQueueRunner,
  lostSummary,
  type QueueDispatcher,
  type QueueRunner,
} from "../../src/dispatch/index.js";
import { Engine } from "../../src/engine/index.js";
import type { PipelineView, Store } from "../../src/engine/ports.js";
import { createLocalExecutor } from "../../src/runner/index.js";
import { openStore } from "../../src/store/index.js";
import { freePort } from "../e2e/processes.js";
import { captureLogs } from "../helpers/postgres.js";
import { recordingReporter, silentLogger as logger } from "../helpers/engine.js";
import { FAST_STALL, commandConfig, outcomes, startProject } from "../integration/queue/harness.js";

/**
 * Redis killed and restarted while a runner is in the middle of a job and another job waits for
 * it: with its data kept (AOF), and without (every queue and lock gone). Redis is shared with
 * other test files, so this one runs a private redis-server it may kill.
 */

let redis: ChildProcess | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  redis?.kill("SIGKILL");
  redis = undefined;
});

/** A private Redis; with `dir`, one that keeps every write in an append-only file there. */
async function startRedis(port: number, dir?: string): Promise<ChildProcess> {
  const persistence =
    dir === undefined
      ? ["--appendonly", "no"]
      : ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir];
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence],
    { stdio: "ignore" },
  );
  await vi.waitFor(
    async () => {
      const ping = spawn("redis-cli", ["-p", String(port), "ping"], { stdio: "ignore" });
      const code = await new Promise((done) => ping.once("exit", done));
      expect(code).toBe(0);
    },
    { timeout: 10_000, interval: 50 },
  );
  return child;
}

async function restartRedis(port: number, dir?: string): Promise<void> {
  const old = redis;
  const gone = new Promise((done) => old?.once("exit", done));
  old?.kill("SIGKILL");
  await gone;
  redis = await startRedis(port, dir);
}

interface SetUp {
  engine: Engine;
  dispatcher: QueueDispatcher;
  runner: QueueRunner;
  store: Store;
  /** What the dispatcher logged. */
  logs: ReturnType<typeof captureLogs>;
}

async function setUp(url: string): Promise<SetUp> {
  const store = await openStore({ url: "sqlite::memory:", logger });
  cleanups.push(() => store.close());
  const engine = new Engine({ store, reporterFor: () => recordingReporter(), logger });
  const logs = captureLogs();
  const dispatcher = createQueueDispatcher({
    connection: url,
    prefix: "pylot-fault",
    events: engine,
    logger: logs.logger,
    noRunnerTimeoutMs: 20_000,
    sweepIntervalMs: 250,
    store,
    lostJobGraceMs: 2_000,
  });
  engine.attach(dispatcher);
  cleanups.push(async () => {
    await dispatcher.close();
    await engine.idle();
  });
  await dispatcher.ready();
  const workdir = await mkdtemp(join(tmpdir(), "pylot-fault-redis-"));
  cleanups.push(() => rm(workdir, { recursive: true, force: true }));
  const runner = createQueueRunner({
    connection: url,
    prefix: "pylot-fault",
    name: "runner-redis",
    pythons: ["3.11", "3.12"],
    labels: ["linux"],
    concurrency: 1,
    executor: createLocalExecutor({ workdir, logger, killGraceMs: 500 }),
    logger,
    stall: FAST_STALL,
    heartbeatMs: 500,
    inputsDir: join(workdir, "inputs"),
  });
  cleanups.push(() => runner.close({ graceMs: 0 }));
  await runner.ready();
  return { engine, dispatcher, runner, store, logs };
}

/** The pipeline's view once it completed, or its view at the deadline. */
async function settled(engine: Engine, id: string, ms: number): Promise<PipelineView | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((done) => {
    timer = setTimeout(() => {
      void engine.view(id).then((view) => {
        done(JSON.stringify(view === undefined ? {} : outcomes(view)));
      });
    }, ms);
  });
  const view = await Promise.race([engine.waitForPipeline(id), late]);
  clearTimeout(timer);
  return view;
}

/** Starts two 4 s jobs for a runner with one slot, and waits until the first one runs. */
async function midPipeline(port: number): Promise<SetUp & { id: string }> {
  const set = await setUp(`redis://127.0.0.1:${port}`);
  const { engine } = set;
  const config = {
    ...commandConfig(["3.11", "3.12"], "python -c 'import time; time.sleep(4)'"),
    // Each job's own outcome, not a leg cancelled because the other one failed first.
    matrix: { "fail-fast": false },
  };
  const started = await startProject(engine, "ok", config);
  const id = started.pipeline.id;
  await vi.waitFor(
    async () => {
      const view = await engine.view(id);
      expect(view?.jobs.some((job) => job.state === "in_progress")).toBe(true);
    },
    { timeout: 60_000, interval: 100 },
  );
  return { ...set, id };
}

describe("Redis restarted mid-pipeline (queue mode)", { timeout: 180_000 }, () => {
  it("with its data (append-only file), the pipeline ends as if nothing happened", async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), "pylot-fault-aof-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    redis = await startRedis(port, dir);
    const { engine, id, logs } = await midPipeline(port);

    await restartRedis(port, dir);
    const done = await settled(engine, id, 90_000);

    expect(typeof done === "string" ? done : outcomes(done)).toEqual({
      "test-3.11-linux": ["completed", "success", 1],
      "test-3.12-linux": ["completed", "success", 1],
    });
    expect(logs.lines.filter((line) => line["msg"] === "Redis lost its data")).toEqual([]);
  });

  it("without its data, the running and the waiting job end as lost, and the pipeline ends", async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const { engine, id } = await midPipeline(port);

    await restartRedis(port);
    const done = await settled(engine, id, 90_000);

    // The runner's lock on the running job is gone, so it stops that job and posts no result;
    // the waiting job's BullMQ entry is gone. The sweep finds both open in the store and absent
    // from Redis, and fails them with the reason once the grace period passed.
    expect(typeof done === "string" ? done : outcomes(done)).toEqual({
      "test-3.11-linux": ["completed", "failure", 1],
      "test-3.12-linux": ["completed", "failure", 1],
    });
    const view = typeof done === "string" ? undefined : done;
    expect(view?.pipeline).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(view?.jobs.map((job) => job.result?.summary).sort()).toEqual(
      [lostSummary("in_progress"), lostSummary("queued")].sort(),
    );
    // The "Redis lost its data" warning is best effort: a replica whose first sweep comes after
    // the restart (a loaded machine) has no earlier marker to miss. The jobs end all the same.
  });
});
