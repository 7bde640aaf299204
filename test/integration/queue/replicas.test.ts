import { afterEach, describe, expect, it, vi } from "vitest";
import { RESULTS_QUEUE } from "../../../src/dispatch/queue/names.js";
import type { PipelineView } from "../../../src/engine/ports.js";
import { inspectQueue } from "../../helpers/redis.js";
import { Cluster, commandConfig, outcomes, startProject, type Replica } from "./harness.js";

let cluster: Cluster;
afterEach(async () => {
  await cluster.cleanup();
});

/** Whichever replica applies the last result completes the pipeline. */
function completedOnAny(replicas: readonly Replica[], id: string): Promise<PipelineView> {
  return Promise.race(replicas.map(({ engine }) => engine.waitForPipeline(id)));
}

function completions(replicas: readonly Replica[]) {
  const events = replicas.flatMap(({ reporter }) => reporter.events);
  return {
    jobs: events.filter((e) => e.kind === "job" && e.state === "completed").length,
    pipelines: events.filter((e) => e.kind === "completed").length,
  };
}

const QUICK = commandConfig(["3.12", "3.13"], "python -m unittest discover -s tests");

describe("several bot replicas on one queue", () => {
  it("applies each result once while two replicas listen", async () => {
    cluster = new Cluster();
    const replicas = [await cluster.replica(), await cluster.replica()];
    await cluster.runner({ pythons: ["3.12", "3.13"] });
    const [first] = replicas;
    if (first === undefined) throw new Error("no replica");

    const started = await startProject(first.engine, "multi", QUICK);
    const done = await completedOnAny(replicas, started.pipeline.id);
    await Promise.all(replicas.map(({ engine }) => engine.idle()));

    expect(outcomes(done)).toEqual({
      "test-3.12-linux": ["completed", "success", 1],
      "test-3.13-linux": ["completed", "success", 1],
    });
    expect(completions(replicas)).toEqual({ jobs: 2, pipelines: 1 });
    const applied = replicas.map((replica) => replica.applied);
    expect(applied.reduce((sum, a) => sum + a.finished, 0)).toBe(2);
    expect(applied.reduce((sum, a) => sum + a.started, 0)).toBe(2);
  });

  it("completes the pipeline on another replica when the enqueuing one is gone", async () => {
    cluster = new Cluster();
    const enqueuing = await cluster.replica();
    const other = await cluster.replica();
    const started = await startProject(enqueuing.engine, "multi", QUICK);

    await enqueuing.dispatcher.close();
    await cluster.runner({ pythons: ["3.12", "3.13"] });
    const done = await other.engine.waitForPipeline(started.pipeline.id);

    expect(done.pipeline.conclusion).toBe("success");
    expect(completions([enqueuing, other])).toEqual({ jobs: 2, pipelines: 1 });
  });

  it("applies results that arrived while no replica was running when one starts", async () => {
    cluster = new Cluster();
    const gone = await cluster.replica();
    const started = await startProject(gone.engine, "multi", QUICK);
    await gone.dispatcher.close();
    const results = inspectQueue(cluster.prefix, RESULTS_QUEUE);
    cluster.defer(() => results.close());

    await cluster.runner({ pythons: ["3.12", "3.13"] });
    await vi.waitFor(
      async () => {
        expect(await results.getJobCounts("waiting")).toEqual({ waiting: 4 });
      },
      { timeout: 30_000, interval: 100 },
    );
    const late = await cluster.replica();
    const done = await late.engine.waitForPipeline(started.pipeline.id);

    expect(outcomes(done)).toEqual({
      "test-3.12-linux": ["completed", "success", 1],
      "test-3.13-linux": ["completed", "success", 1],
    });
    expect(await results.getJobCounts("waiting")).toEqual({ waiting: 0 });
  });
});
