import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { lostSummary, runQueueName } from "../../../src/dispatch/index.js";
import { pylotKeys } from "../../../src/dispatch/queue/names.js";
import type { PipelineView } from "../../../src/engine/ports.js";
import { captureLogs } from "../../helpers/postgres.js";
import { inspectQueue, removeKeys } from "../../helpers/redis.js";
import { Cluster, commandConfig, outcomes, startProject, type Replica } from "./harness.js";

let cluster: Cluster;
afterEach(async () => {
  await cluster.cleanup();
});

const QUICK = commandConfig(["3.12"], "python -c 'pass'");
const GRACE_MS = 500;

function completedOnAny(replicas: readonly Replica[], id: string): Promise<PipelineView> {
  return Promise.race(replicas.map(({ engine }) => engine.waitForPipeline(id)));
}

async function registeredQueues(prefix: string): Promise<string[]> {
  const queue = inspectQueue(prefix, "inspect");
  try {
    const client = await queue.getBackend().client;
    return Object.keys(await client.hgetall(pylotKeys.queues(prefix)));
  } finally {
    await queue.close();
  }
}

describe("jobs Redis lost (queue mode)", { timeout: 60_000 }, () => {
  it("fails a queued job Redis lost once, with the reason, whichever replica sees it", async () => {
    cluster = new Cluster();
    const logs = [captureLogs(), captureLogs()];
    const replicas = await Promise.all(
      logs.map(({ logger }) => cluster.replica({ lostJobGraceMs: GRACE_MS, logger })),
    );
    const [first] = replicas;
    if (first === undefined) throw new Error("no replica");
    const started = await startProject(first.engine, "ok", QUICK);
    // Both replicas have seen this Redis's marker before it goes.
    await Promise.all(replicas.map(({ dispatcher }) => dispatcher.sweep()));

    await removeKeys(cluster.prefix);
    const done = await completedOnAny(replicas, started.pipeline.id);
    await Promise.all(replicas.map(({ engine }) => engine.idle()));

    expect(done.pipeline).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "failure", 1] });
    expect(done.jobs[0]?.result?.summary).toBe(lostSummary("queued"));
    expect(replicas.reduce((sum, { applied }) => sum + applied.finished, 0)).toBe(1);
    for (const { lines } of logs)
      expect(lines.filter((line) => line["msg"] === "Redis lost its data")).toHaveLength(1);
  });

  it("registers its run queues again after Redis lost them, so every replica sweeps them", async () => {
    cluster = new Cluster();
    const replica = await cluster.replica({ lostJobGraceMs: GRACE_MS });
    await cluster.runner({ pythons: ["3.12"] });
    const first = await startProject(replica.engine, "ok", QUICK);
    await replica.engine.waitForPipeline(first.pipeline.id);
    await replica.dispatcher.sweep();

    await removeKeys(cluster.prefix);
    await replica.dispatcher.sweep();
    const second = await startProject(replica.engine, "ok", QUICK);
    const done = await replica.engine.waitForPipeline(second.pipeline.id);

    expect(await registeredQueues(cluster.prefix)).toEqual([
      runQueueName({ python: "3.12", os: "linux" }),
    ]);
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "success", 1] });
  });

  it("never takes a job still waiting in Redis for lost, however long it waits", async () => {
    cluster = new Cluster();
    const replica = await cluster.replica({ lostJobGraceMs: GRACE_MS });
    const started = await startProject(replica.engine, "ok", QUICK);

    for (let pass = 0; pass < 4; pass += 1) {
      await sleep(GRACE_MS);
      await replica.dispatcher.sweep();
    }
    const waiting = await replica.engine.view(started.pipeline.id);
    await cluster.runner({ pythons: ["3.12"] });
    const done = await replica.engine.waitForPipeline(started.pipeline.id);

    expect(waiting === undefined ? {} : outcomes(waiting)).toEqual({
      "test-3.12-linux": ["queued", null, 1],
    });
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "success", 1] });
    expect(replica.applied.finished).toBe(1);
  });
});
