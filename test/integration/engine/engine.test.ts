import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PylotConfigSchema, type PylotConfigInput } from "../../../src/config/schema.js";
import { createLocalDispatcher } from "../../../src/dispatch/index.js";
import { deployPipeline } from "../../../src/deploy/deploy-job.js";
import { Engine, INTERRUPTED_DEPLOY } from "../../../src/engine/index.js";
import type { JobExecutor, PipelineView, Store } from "../../../src/engine/ports.js";
import { plan } from "../../../src/pipeline/index.js";
import type { JobResult } from "../../../src/pipeline/types.js";
import { openStore } from "../../../src/store/index.js";
import {
  deferred,
  recordingReporter,
  scriptedExecutor,
  silentLogger,
  untilAborted,
  type Outcome,
} from "../../helpers/engine.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const small = {
  lint: { black: false },
  typecheck: { mypy: false },
  security: { bandit: false },
} satisfies PylotConfigInput;

async function setup(options: {
  executor: JobExecutor;
  store?: Store;
  concurrency?: number;
  secretsFor?: () => Record<string, string>;
}) {
  const store =
    options.store ?? (await openStore({ url: "sqlite::memory:", logger: silentLogger }));
  const reporter = recordingReporter();
  const engine = new Engine({
    store,
    reporterFor: () => reporter,
    logger: silentLogger,
    ...(options.secretsFor === undefined ? {} : { secretsFor: options.secretsFor }),
  });
  const dispatcher = createLocalDispatcher({
    executor: options.executor,
    concurrency: options.concurrency ?? 4,
    events: engine,
    logger: silentLogger,
  });
  engine.attach(dispatcher);
  cleanups.push(async () => {
    await dispatcher.close();
    await engine.idle();
    if (options.store === undefined) await store.close();
  });
  const start = (input: PylotConfigInput) =>
    engine.start({
      trigger: { source: "cli", event: "local", sha: "abc", ref: "refs/heads/main" },
      plan: plan(PylotConfigSchema.parse(input), { defaultPython: "3.11" }),
      source: { kind: "dir", path: "/nonexistent" },
      secrets: { TOKEN: "s3cret" },
    });
  return { store, reporter, engine, dispatcher, start };
}

/**
 * A first engine on a SQLite file runs `begin` until job `index` is in progress, then stops as a
 * killed bot would: its pool closed, the file left as it was. A second engine then reopens it.
 */
async function stoppedMidJob(
  executor: JobExecutor,
  begin: (first: Awaited<ReturnType<typeof setup>>) => Promise<PipelineView>,
  index: number,
): Promise<{ url: string; pipelineId: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "pylot-engine-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const url = `sqlite:${path.join(dir, "pylot.db")}`;
  const firstStore = await openStore({ url, logger: silentLogger });
  const first = await setup({ executor, store: firstStore, concurrency: 1 });
  const started = await begin(first);
  await vi_waitFor(
    async () =>
      (await first.engine.view(started.pipeline.id))?.jobs[index]?.state === "in_progress",
  );
  await first.dispatcher.close();
  await first.engine.idle();
  await firstStore.close();
  return { url, pipelineId: started.pipeline.id };
}

async function reopened(url: string, options: Omit<Parameters<typeof setup>[0], "store">) {
  const store = await openStore({ url, logger: silentLogger });
  cleanups.push(() => store.close());
  return setup({ ...options, store });
}

const byKey = (outcomes: Record<string, Outcome>) => (request: { spec: { key: string } }) =>
  outcomes[request.spec.key] ?? { conclusion: "success" as const };

describe("Engine", () => {
  it("runs a pipeline to its conclusion and evaluates the coverage gate", async () => {
    const executor = scriptedExecutor(
      byKey({ "test-3.11-linux": { conclusion: "success", coverage: 91.5 } }),
    );
    const { engine, reporter, start } = await setup({ executor });

    const started = await start({ ...small, test: { coverage: { minimum: 90 } } });
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(done.pipeline).toMatchObject({ status: "completed", conclusion: "success" });
    expect(done.jobs.map((j) => [j.spec.key, j.conclusion, j.attempt])).toEqual([
      ["lint", "success", 1],
      ["test-3.11-linux", "success", 1],
      ["coverage", "success", 1],
    ]);
    expect(done.jobs[2]?.result).toMatchObject({ summary: "coverage 91.5% (minimum 90%)" });
    expect(executor.calls.map((c) => c.spec.key).sort()).toEqual(["lint", "test-3.11-linux"]);
    expect(executor.calls[0]).toMatchObject({ sha: "abc", secrets: { TOKEN: "s3cret" } });
    expect(reporter.events[0]).toEqual({
      kind: "created",
      jobs: ["lint", "test-3.11-linux", "coverage"],
    });
    expect(
      reporter.events
        .filter((e) => e.kind === "job" && e.key === "lint")
        .map((e) => e.kind === "job" && e.state),
    ).toEqual(["queued", "in_progress", "completed"]);
    expect(reporter.events.at(-1)).toEqual({ kind: "completed", conclusion: "success" });
  });

  it("fails the gate below the minimum and skips jobs whose needs failed", async () => {
    const executor = scriptedExecutor(
      byKey({ "test-3.11-linux": { conclusion: "success", coverage: 50 } }),
    );
    const failing = scriptedExecutor(byKey({ "test-3.11-linux": { conclusion: "failure" } }));
    const a = await setup({ executor });
    const b = await setup({ executor: failing });

    const gate = await a.engine.waitForPipeline(
      (await a.start({ ...small, test: { coverage: { minimum: 60 } } })).pipeline.id,
    );
    const skipped = await b.engine.waitForPipeline((await b.start(small)).pipeline.id);

    expect(gate.pipeline.conclusion).toBe("failure");
    expect(gate.jobs.at(-1)?.result?.summary).toBe("coverage 50.0% is below the minimum 60%");
    expect(skipped.pipeline.conclusion).toBe("failure");
    expect(skipped.jobs.at(-1)).toMatchObject({
      conclusion: "skipped",
      result: { summary: "skipped: test-3.11-linux did not succeed" },
    });
  });

  it("applies a result once: duplicates and stale attempts are ignored", async () => {
    const executor = scriptedExecutor(() => ({ conclusion: "success" }));
    const { engine, start } = await setup({ executor });
    const done = await engine.waitForPipeline(
      (await start({ ...small, test: { coverage: false } })).pipeline.id,
    );
    const lint = done.jobs[0];
    if (lint?.result == null) throw new Error("lint has no result");
    const replay: JobResult = { ...lint.result, conclusion: "failure" };

    await engine.finished(replay);
    await engine.finished({ ...replay, attempt: 7 });
    await engine.finished({ ...replay, jobId: "nope:lint" });
    await engine.finished({ nonsense: true } as unknown as JobResult);

    const after = await engine.view(done.pipeline.id);
    expect(after?.jobs[0]).toMatchObject({ conclusion: "success", attempt: 1 });
    expect(after?.pipeline.conclusion).toBe("success");
  });

  it("fail-fast cancels legs that have not started", async () => {
    const gate = deferred<undefined>();
    const executor = scriptedExecutor(async (request) => {
      if (request.spec.key === "test-3.10-linux") return { conclusion: "failure" };
      await gate.promise;
      return { conclusion: "success" };
    });
    const { engine, start } = await setup({ executor, concurrency: 1 });

    const started = await start({
      ...small,
      lint: { flake8: false, black: false },
      python: ["3.10", "3.11", "3.12"],
      test: { coverage: false },
    });
    const done = await engine.waitForPipeline(started.pipeline.id);
    gate.resolve(undefined);

    expect(done.pipeline.conclusion).toBe("failure");
    expect(done.jobs.map((j) => [j.spec.key, j.conclusion, j.result?.summary])).toEqual([
      ["test-3.10-linux", "failure", "failure"],
      ["test-3.11-linux", "cancelled", "cancelled by fail-fast: test (3.10, linux) failed"],
      ["test-3.12-linux", "cancelled", "cancelled by fail-fast: test (3.10, linux) failed"],
    ]);
    expect(executor.calls.map((c) => c.spec.key)).toEqual(["test-3.10-linux"]);
  });

  it("cancels a running pipeline: the runner is aborted and its late result ignored", async () => {
    const executor = scriptedExecutor((_request, signal) => untilAborted(signal));
    const { engine, reporter, start } = await setup({ executor });
    const started = await start({ ...small, test: { coverage: false } });
    await vi_waitFor(async () =>
      (await engine.view(started.pipeline.id))?.jobs.every((j) => j.state === "in_progress"),
    );

    await engine.cancelPipeline(started.pipeline.id, "superseded by def4567");
    const done = await engine.waitForPipeline(started.pipeline.id);
    await engine.idle();

    expect(done.pipeline).toMatchObject({
      conclusion: "cancelled",
      cancelReason: "superseded by def4567",
    });
    expect(done.jobs.map((j) => j.result?.summary)).toEqual([
      "cancelled: superseded by def4567",
      "cancelled: superseded by def4567",
    ]);
    expect(reporter.events.filter((e) => e.kind === "completed")).toHaveLength(1);
  });

  it("ends a pipeline whose completion write failed once, when the result is applied again", async () => {
    const real = await openStore({ url: "sqlite::memory:", logger: silentLogger });
    cleanups.push(() => real.close());
    let failures = 1;
    const store: Store = Object.create(real, {
      updatePipeline: {
        value: (id: string, patch: Parameters<Store["updatePipeline"]>[1]) => {
          if (patch.status === "completed" && failures-- > 0)
            return Promise.reject(new Error("Connection terminated unexpectedly"));
          return real.updatePipeline(id, patch);
        },
      },
    }) as Store;
    const { engine, start } = await setup({ executor: scriptedExecutor(byKey({})), store });

    const started = await start({ ...small, test: { coverage: false } });
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(failures).toBe(-1);
    expect(done.pipeline.status).toBe("completed");
    expect(done.pipeline.conclusion).toBe("success");
  });

  it("re-runs failed jobs and their dependents with a new attempt", async () => {
    let flaky = true;
    const executor = scriptedExecutor((request) => {
      if (request.spec.key !== "test-3.11-linux") return { conclusion: "success" };
      const outcome: Outcome = flaky
        ? { conclusion: "failure" }
        : { conclusion: "success", coverage: 99 };
      flaky = false;
      return outcome;
    });
    const { engine, start } = await setup({ executor });
    const first = await engine.waitForPipeline((await start(small)).pipeline.id);
    expect(first.pipeline.conclusion).toBe("failure");

    await engine.rerun(first.pipeline.id, { kind: "failed" });
    const done = await engine.waitForPipeline(first.pipeline.id);

    expect(done.pipeline.conclusion).toBe("success");
    expect(done.jobs.map((j) => [j.spec.key, j.conclusion, j.attempt])).toEqual([
      ["lint", "success", 1],
      ["test-3.11-linux", "success", 2],
      ["coverage", "success", 2],
    ]);
    expect(executor.calls.map((c) => `${c.spec.key}#${c.attempt}`)).toContain("test-3.11-linux#2");
  });

  it("resumes a half-done pipeline from the SQLite file after a restart", async () => {
    const hold = scriptedExecutor(async (request, signal) =>
      request.spec.key === "lint" ? { conclusion: "success" } : untilAborted(signal),
    );
    const stopped = await stoppedMidJob(
      hold,
      (first) => first.start({ ...small, python: ["3.11", "3.12"], test: { coverage: false } }),
      1,
    );
    const second = await reopened(stopped.url, {
      executor: scriptedExecutor(() => ({ conclusion: "success" })),
    });
    const finished = second.engine.waitForPipeline(stopped.pipelineId);
    await second.engine.resume();
    const done = await finished;

    expect(done.pipeline.conclusion).toBe("success");
    expect(done.jobs.map((j) => [j.spec.key, j.conclusion, j.attempt])).toEqual([
      ["lint", "success", 1],
      ["test-3.11-linux", "success", 2],
      ["test-3.12-linux", "success", 1],
    ]);
  });
});

describe("Engine.resume of a deploy", () => {
  it("ends a deploy job that was running when the bot stopped, and never runs it again", async () => {
    const deployment = {
      env: "staging",
      sha: "abc",
      task: "deploy",
      productionEnvironment: false,
      run: "./deploy.sh",
      pr: 7,
      requires: [],
      bypassedChecks: [],
    } as const;
    const begin = (first: Awaited<ReturnType<typeof setup>>) =>
      first.engine.start({
        trigger: { source: "github", event: "deploy", sha: "abc", ref: "refs/pull/7/head" },
        plan: deployPipeline({
          plan: deployment,
          deploymentId: 42,
          python: "3.11",
          timeoutMs: 60_000,
          secrets: {},
        }),
        source: { kind: "dir", path: "/nonexistent" },
      });
    const hold = scriptedExecutor((_request, signal) => untilAborted(signal));
    const stopped = await stoppedMidJob(hold, begin, 0);
    const again = scriptedExecutor(() => ({ conclusion: "success" }));
    const second = await reopened(stopped.url, { executor: again });
    const finished = second.engine.waitForPipeline(stopped.pipelineId);
    await second.engine.resume();
    const done = await finished;

    expect(again.calls).toEqual([]);
    expect(done.pipeline.conclusion).toBe("cancelled");
    expect(done.jobs.map((j) => [j.conclusion, j.attempt, j.result?.summary])).toEqual([
      ["cancelled", 1, INTERRUPTED_DEPLOY],
    ]);
  });
});

describe("Engine.resume with a queue", () => {
  it("re-dispatches queued jobs but leaves running ones to the queue's stall recovery", async () => {
    const stopped = await stoppedMidJob(
      scriptedExecutor((_request, signal) => untilAborted(signal)),
      (first) => first.start({ ...small, python: ["3.11", "3.12"], test: { coverage: false } }),
      0,
    );
    const replay = scriptedExecutor((_request, signal) => untilAborted(signal));
    const second = await reopened(stopped.url, {
      executor: replay,
      secretsFor: () => ({ TOKEN: "looked-up-again" }),
    });
    await second.engine.resume({ retryRunning: false });
    await vi_waitFor(() => Promise.resolve(replay.calls.length === 2));
    await second.engine.idle();

    const view = await second.engine.view(stopped.pipelineId);
    expect(view?.jobs.map((j) => [j.spec.key, j.state, j.attempt])).toEqual([
      ["lint", "in_progress", 1],
      ["test-3.11-linux", "in_progress", 1],
      ["test-3.12-linux", "in_progress", 1],
    ]);
    expect(replay.calls.map((c) => c.spec.key).sort()).toEqual([
      "test-3.11-linux",
      "test-3.12-linux",
    ]);
    // Secrets are never stored: a resumed job gets them from where they came from.
    expect(replay.calls.map((c) => c.secrets)).toEqual([
      { TOKEN: "looked-up-again" },
      { TOKEN: "looked-up-again" },
    ]);
  });
});

/** Polls until `check` holds (state that changes as processes run, not a timing assertion). */
async function vi_waitFor(check: () => Promise<boolean | undefined>): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition never held");
}
