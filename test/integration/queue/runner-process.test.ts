import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PylotConfigSchema } from "../../../src/config/schema.js";
import { bullJobId, runQueueName } from "../../../src/dispatch/index.js";
import { deployPipeline } from "../../../src/deploy/deploy-job.js";
import { INTERRUPTED_DEPLOY, type Engine } from "../../../src/engine/index.js";
import { plan } from "../../../src/pipeline/index.js";
import { startGitHubApiStub } from "../../helpers/github-api-stub.js";
import { sha, tarballOf } from "../../helpers/github-payloads.js";
import { inspectQueue, TEST_REDIS_URL } from "../../helpers/redis.js";
import { isAlive } from "../runner/harness.js";
import { Cluster, commandConfig, fixture, outcomes, sleeperPids, startProject } from "./harness.js";

const ROOT = resolve(import.meta.dirname, "../../..");

interface RunnerProcess {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** `pylot runner` as a real process, as an operator starts it. */
function spawnRunner(env: Record<string, string>): RunnerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/cli.ts", "runner"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => {
    child.once("exit", (code) => {
      done(code);
    });
  });
  return { child, stderr: () => stderr, exited };
}

let cluster: Cluster;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await cluster.cleanup();
});

async function startRunnerProcess(name: string, extra: Record<string, string> = {}) {
  const workdir = await cluster.tempDir();
  const runner = spawnRunner({
    PYLOT_REDIS_URL: TEST_REDIS_URL,
    PYLOT_QUEUE_PREFIX: cluster.prefix,
    PYLOT_RUNNER_NAME: name,
    PYLOT_CONCURRENCY: "1",
    PYLOT_WORKDIR: workdir,
    PYLOT_LOCK_DURATION: "2s",
    PYLOT_STALLED_INTERVAL: "1s",
    PYLOT_HEARTBEAT_INTERVAL: "500ms",
    ...extra,
  });
  children.push(runner.child);
  await vi.waitFor(
    () => {
      expect(runner.stderr()).toContain('"msg":"runner ready"');
    },
    {
      timeout: 30_000,
      interval: 100,
    },
  );
  return { ...runner, workdir };
}

/** Waits until the engine has the job running (its runner reported the steps started). */
async function untilRunning(engine: Engine, pipelineId: string, key: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const view = await engine.view(pipelineId);
      expect(view?.jobs.find((job) => job.spec.key === key)?.state).toBe("in_progress");
    },
    { timeout: 30_000, interval: 50 },
  );
}

// The job fails if any credential of the runner reached its environment.
const NO_LEAKS =
  'python -c "import os, sys; sys.exit(any(s in v for v in os.environ.values() ' +
  "for s in ('ghs_', 'PRIVATE KEY', 'redis://')))\"";

const SLOW = commandConfig(["3.12"], 'python -c "import time; time.sleep(3)"');

describe("pylot runner processes", () => {
  it("explains a missing PYLOT_REDIS_URL", async () => {
    cluster = new Cluster();
    const runner = spawnRunner({ PYLOT_REDIS_URL: "" });

    const code = await runner.exited;

    expect(code).toBe(2);
    expect(runner.stderr()).toContain("pylot runner: PYLOT_REDIS_URL is not set.");
  });

  it("explains an unreachable Redis without showing its password", async () => {
    cluster = new Cluster();
    const runner = spawnRunner({ PYLOT_REDIS_URL: "redis://:hunter2@127.0.0.1:1" });

    const code = await runner.exited;

    expect(code).toBe(2);
    expect(runner.stderr()).toContain(
      "pylot runner: cannot reach Redis at redis://:****@127.0.0.1:1: connect ECONNREFUSED",
    );
    expect(runner.stderr()).not.toContain("hunter2");
  });

  it("hands a killed runner's job to another runner and completes the pipeline", async () => {
    cluster = new Cluster();
    const { engine, reporter } = await cluster.replica();
    const doomed = await startRunnerProcess("doomed");
    const started = await startProject(engine, "multi", SLOW);
    const id = started.pipeline.id;
    await untilRunning(engine, id, "test-3.12-linux");

    doomed.child.kill("SIGKILL");
    await doomed.exited;
    await cluster.runner({ pythons: ["3.12"], name: "survivor" });
    const done = await engine.waitForPipeline(id);

    expect(done.pipeline.conclusion).toBe("success");
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "success", 1] });
    expect(done.jobs.filter((job) => job.state === "in_progress")).toEqual([]);
    expect(reporter.events.filter((e) => e.kind === "job").map((e) => e.state)).toEqual([
      "queued",
      "in_progress",
      "completed",
    ]);
  });

  it("never runs a deploy a second time when its runner dies mid-deploy", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica();
    const doomed = await startRunnerProcess("doomed");
    const deployment = {
      env: "staging",
      sha: sha("d1"),
      task: "deploy",
      productionEnvironment: false,
      run: "sleep 30",
      pr: 7,
      requires: [],
      bypassedChecks: [],
    } as const;
    const started = await engine.start({
      trigger: { source: "github", event: "deploy", sha: sha("d1"), ref: "refs/pull/7/head" },
      plan: deployPipeline({
        plan: deployment,
        deploymentId: 77,
        python: "3.12",
        timeoutMs: 60_000,
        secrets: {},
      }),
      source: { kind: "dir", path: fixture("multi") },
    });
    await untilRunning(engine, started.pipeline.id, "deploy");

    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const calls: string[] = [];
    await cluster.runner({
      pythons: ["3.12"],
      name: "survivor",
      wrap: (real) => ({
        execute: (request, options) => {
          calls.push(request.jobId);
          return real.execute(request, options);
        },
      }),
    });
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(calls).toEqual([]);
    expect(done.pipeline.conclusion).toBe("cancelled");
    expect(done.jobs.map((job) => [job.conclusion, job.attempt, job.result?.summary])).toEqual([
      ["cancelled", 1, INTERRUPTED_DEPLOY],
    ]);
  });

  it("finishes its running job on SIGTERM, then exits 0", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica();
    const runner = await startRunnerProcess("graceful");
    const started = await startProject(engine, "multi", SLOW);
    await untilRunning(engine, started.pipeline.id, "test-3.12-linux");

    runner.child.kill("SIGTERM");
    const code = await runner.exited;
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(code).toBe(0);
    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "success", 1] });
    const lines = runner
      .stderr()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { runner?: string; msg?: string });
    expect(lines.every((line) => line.runner === "graceful")).toBe(true);
    expect(lines.map((line) => line.msg)).toContain("runner stopped");
  });

  it("hands its job back when SIGTERM's grace period runs out, killing its processes", async () => {
    cluster = new Cluster();
    const { engine } = await cluster.replica();
    const runner = await startRunnerProcess("impatient", { PYLOT_SHUTDOWN_GRACE_SECONDS: "1" });
    const started = await startProject(engine, "sleepy");
    const id = started.pipeline.id;
    const pids = await vi.waitFor(
      async () => {
        const found = await sleeperPids(runner.workdir, id, "test-3.12-linux");
        expect(found).toHaveLength(2);
        return found;
      },
      { timeout: 30_000, interval: 100 },
    );
    const queue = inspectQueue(cluster.prefix, runQueueName({ python: "3.12", os: "linux" }));
    cluster.defer(() => queue.close());

    runner.child.kill("SIGTERM");
    const code = await runner.exited;

    expect(code).toBe(0);
    expect(await queue.getJobState(bullJobId(`${id}:test-3.12-linux`, 1))).toBe("waiting");
    expect(await Promise.all(pids.map(isAlive))).toEqual([false, false]);
    const view = await engine.view(id);
    expect(view === undefined ? {} : outcomes(view)).toEqual({
      "test-3.12-linux": ["in_progress", null, 1],
    });
    await engine.cancelPipeline(id, "test over");
  });

  it("fetches a GitHub source with a read-only token it mints, which the job never sees", async () => {
    cluster = new Cluster();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const stub = await startGitHubApiStub({ appId: "4242", privateKey: pem });
    cluster.defer(() => stub.close());
    const commit = sha("a");
    stub.serveCommit(commit, { config: "", tarball: await tarballOf("multi") });
    const { engine } = await cluster.replica();
    await startRunnerProcess("github", {
      APP_ID: "4242",
      PRIVATE_KEY: pem,
      GHE_HOST: stub.host,
      GHE_PROTOCOL: "http",
    });
    const config = commandConfig(["3.12"], `python -m unittest discover -s tests && ${NO_LEAKS}`);

    const started = await engine.start({
      trigger: { source: "github", event: "push", sha: commit, ref: "refs/heads/main" },
      plan: plan(PylotConfigSchema.parse(config), { defaultPython: "3.12" }),
      source: { kind: "github", repo: "octo/app", sha: commit, installationId: 42 },
    });
    const done = await engine.waitForPipeline(started.pipeline.id);

    expect(outcomes(done)).toEqual({ "test-3.12-linux": ["completed", "success", 1] });
    const minted = stub.requests.filter((r) => r.path.endsWith("/access_tokens"));
    expect(minted.map((r) => r.body)).toEqual([
      { repositories: ["app"], permissions: { contents: "read" } },
    ]);
    expect(stub.unanswered).toEqual([]);
  });
});
