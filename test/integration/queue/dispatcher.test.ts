import { afterEach, describe, expect, it, vi } from "vitest";
import { bullJobId, createQueueDispatcher, runQueueName } from "../../../src/dispatch/index.js";
import type { DispatchRequest } from "../../../src/engine/ports.js";
import { depthOf } from "../../../src/metrics/index.js";
import type { JobResult } from "../../../src/pipeline/types.js";
import { scriptedExecutor } from "../../helpers/engine.js";
import { inspectQueue, TEST_REDIS_URL } from "../../helpers/redis.js";
import { isAlive } from "../runner/harness.js";
import {
  Cluster,
  commandConfig,
  fixture,
  logger,
  outcomes,
  recording,
  sleeperPids,
  startProject,
} from "./harness.js";

let cluster: Cluster;
afterEach(async () => {
  await cluster.cleanup();
});

function trivialRequest(key: string, python = "3.12"): DispatchRequest {
  return {
    jobId: `pipe-1:${key}`,
    attempt: 1,
    pipelineId: "pipe-1",
    spec: {
      key,
      name: key,
      kind: "test",
      leg: { python, os: "linux", extra: {} },
      needs: [],
      install: [],
      systemSitePackages: false,
      steps: [],
      timeoutMs: 60_000,
      matrix: true,
    },
    source: { kind: "dir", path: fixture("multi") },
    sha: "abc123",
    ref: "refs/heads/main",
    secrets: { TOKEN: "s3cret" },
  };
}

/** DispatchEvents that record what a dispatcher reports. */
function recordingEvents() {
  const started: string[] = [];
  const finished: JobResult[] = [];
  return {
    started,
    finished,
    events: {
      started: (jobId: string, attempt: number) => {
        started.push(`${jobId}#${attempt}`);
        return Promise.resolve();
      },
      finished: (result: JobResult) => {
        finished.push(result);
        return Promise.resolve();
      },
    },
  };
}

describe("queue dispatcher with runners in this process", () => {
  // The `multi` fixture uses itertools.batched (3.12+): its 3.10 leg fails, the others pass.
  it("runs a fixture's Python matrix on a runner to the right conclusions", async () => {
    cluster = new Cluster();
    const { engine, reporter } = await cluster.replica();
    await cluster.runner({ pythons: ["3.10", "3.12", "3.13"], concurrency: 2 });

    const started = await startProject(engine, "multi");
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(done.pipeline).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(outcomes(done)).toEqual({
      "test-3.10-linux": ["completed", "failure", 1],
      "test-3.12-linux": ["completed", "success", 1],
      "test-3.13-linux": ["completed", "success", 1],
    });
    expect(done.jobs.map((job) => job.result?.summary)).toEqual([
      "tests failed (exit 1) on Python 3.10.13",
      "tests passed on Python 3.12.1",
      "tests passed on Python 3.13.0",
    ]);
    const completions = reporter.events.filter((e) => e.kind === "job" && e.state === "completed");
    expect(completions).toHaveLength(3);
  });

  it("reports a failing test as a failed job and pipeline", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica();
    await cluster.runner({ pythons: ["3.12"] });

    const started = await startProject(engine, "failing-test");
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(done.pipeline.conclusion).toBe("failure");
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "failure", 1] });
    expect(done.jobs[0]?.result?.steps.map((step) => [step.name, step.conclusion])).toEqual([
      ["venv", "success"],
      ["test", "failure"],
    ]);
  });

  it("routes by labels and fails a job no live runner can take", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica({ noRunnerTimeoutMs: 1_500 });
    let executor: ReturnType<typeof recording> | undefined;
    await cluster.runner({
      pythons: ["3.12"],
      name: "host-a",
      wrap: (real) => (executor = recording(real)),
    });

    const started = await startProject(engine, "multi", {
      ...commandConfig(["3.10", "3.12"], "python -m unittest discover -s tests"),
      matrix: { "fail-fast": false },
    });
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(outcomes(done)).toEqual({
      "test-3.10-linux": ["completed", "failure", 1],
      "test-3.12-linux": ["completed", "success", 1],
    });
    expect(done.jobs.find((job) => job.spec.key === "test-3.10-linux")?.result?.summary).toBe(
      "no runner can take this job: none has Python 3.10 on linux (live runners: host-a [3.12 linux])",
    );
    expect(executor?.requests.map((request) => request.spec.leg.python)).toEqual(["3.12"]);
  });

  it("ignores a duplicate enqueue, before and after the job ran", async () => {
    cluster = new Cluster();
    const recorded = recordingEvents();
    const dispatcher = createQueueDispatcher({
      connection: TEST_REDIS_URL,
      prefix: cluster.prefix,
      events: recorded.events,
      logger,
    });
    cluster.defer(() => dispatcher.close());
    const request = trivialRequest("dup");
    const executor = scriptedExecutor(() => ({ conclusion: "success" }));

    await dispatcher.enqueue(request);
    await dispatcher.enqueue(request);
    await cluster.runner({ pythons: ["3.12"], wrap: () => executor });
    await vi.waitFor(
      () => {
        expect(recorded.finished).toHaveLength(1);
      },
      { timeout: 20_000 },
    );
    await dispatcher.enqueue(request);
    const queue = inspectQueue(cluster.prefix, runQueueName({ python: "3.12", os: "linux" }));
    cluster.defer(() => queue.close());

    expect(executor.calls).toHaveLength(1);
    expect(recorded.started).toEqual(["pipe-1:dup#1"]);
    expect(recorded.finished[0]).toMatchObject({ jobId: "pipe-1:dup", conclusion: "success" });
    expect(await queue.getJobCounts("waiting", "active", "completed")).toEqual({
      waiting: 0,
      active: 0,
      completed: 1,
    });
    const kept = await queue.getJob(bullJobId(request.jobId, 1));
    expect(kept?.data).toMatchObject({ jobId: "pipe-1:dup", secrets: {} });
  });

  it("cancels a running job on its runner and kills its processes", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica();
    const { runner, workdir } = await cluster.runner({ pythons: ["3.12"], concurrency: 1 });
    const started = await startProject(engine, "sleepy");
    const id = started.pipeline.id;
    const pids = await vi.waitFor(
      async () => {
        const found = await sleeperPids(workdir, id, "test-3.12-linux");
        expect(found).toHaveLength(2);
        return found;
      },
      { timeout: 30_000, interval: 100 },
    );

    await engine.cancelPipeline(id, "superseded by def456");
    const done = await engine.waitForPipeline(id);
    await vi.waitFor(
      () => {
        expect(runner.running).toBe(0);
      },
      { timeout: 15_000 },
    );

    expect(done.pipeline.conclusion).toBe("cancelled");
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "cancelled", 1] });
    expect(await Promise.all(pids.map(isAlive))).toEqual([false, false]);
  });

  it("cancels a waiting job by removing it from its queue", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica();
    const started = await startProject(engine, "multi", commandConfig(["3.9"], "true"));
    const queue = inspectQueue(cluster.prefix, runQueueName({ python: "3.9", os: "linux" }));
    cluster.defer(() => queue.close());
    const bullId = bullJobId(`${started.pipeline.id}:test-3.9-linux`, 1);
    const before = await queue.getJobState(bullId);

    await engine.cancelPipeline(started.pipeline.id, "superseded by def456");
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(before).toBe("waiting");
    expect(await queue.getJobState(bullId)).toBe("unknown");
    expect(outcomes(done)).toEqual({ "test-3.9-linux": ["completed", "cancelled", 1] });
  });

  it("counts the jobs waiting in every run queue, for the queue depth metric", async () => {
    cluster = new Cluster();
    const { engine, dispatcher } = await cluster.replica();
    const idle = await depthOf(dispatcher);
    const started = await startProject(engine, "multi", commandConfig(["3.9", "3.10"], "true"));
    const waiting = await depthOf(dispatcher);

    await engine.cancelPipeline(started.pipeline.id, "superseded by def456");
    await engine.waitForPipeline(started.pipeline.id);

    expect([idle, waiting, await depthOf(dispatcher)]).toEqual([0, 2, 0]);
  });

  it("turns a job that fails on its runner into a failure result", async () => {
    cluster = new Cluster();
    const recorded = recordingEvents();
    const dispatcher = createQueueDispatcher({
      connection: TEST_REDIS_URL,
      prefix: cluster.prefix,
      events: recorded.events,
      logger,
      sweepIntervalMs: 250,
    });
    cluster.defer(() => dispatcher.close());
    await cluster.runner({ pythons: ["3.12"] });
    const hostile = {
      ...trivialRequest("bad"),
      spec: { ...trivialRequest("bad").spec, steps: [{ kind: "rm -rf /" }] },
    } as unknown as DispatchRequest;

    await dispatcher.enqueue(hostile);
    await vi.waitFor(
      () => {
        expect(recorded.finished).toHaveLength(1);
      },
      { timeout: 20_000 },
    );

    expect(recorded.finished[0]).toMatchObject({
      jobId: "pipe-1:bad",
      attempt: 1,
      conclusion: "failure",
    });
    expect(recorded.finished[0]?.summary).toMatch(
      /^the job failed on its runner: invalid job data: /,
    );
    expect(recorded.started).toEqual([]);
  });
});
