import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createArtifacts, type Artifacts } from "../../../src/artifacts/index.js";
import { loadProjectConfig } from "../../../src/config/index.js";
import { pylotKeys } from "../../../src/dispatch/queue/names.js";
import type { Engine } from "../../../src/engine/index.js";
import type { PipelineView } from "../../../src/engine/ports.js";
import { plan } from "../../../src/pipeline/index.js";
import { TEST_REDIS_URL } from "../../helpers/redis.js";
import { Cluster, fixture, logger, recording } from "./harness.js";

/**
 * Build artifacts across hosts: a runner that shares no disk with the bot (its own workdir)
 * builds the wheel-app fixture; the bytes go through Redis into the bot's artifact store, and
 * come back through Redis to the runner that runs the integration tests against the wheel.
 */

let cluster: Cluster;
afterEach(async () => {
  await cluster.cleanup();
});

const REPO = "octo/wheel-app";
const COMMIT = "5".repeat(40);

async function keptBy(cluster: Cluster): Promise<{ artifacts: Artifacts; dir: string }> {
  const dir = await cluster.tempDir();
  const store = await cluster.store();
  const artifacts = createArtifacts({
    workdir: dir,
    index: store.artifacts,
    retentionDays: undefined,
    logger,
  });
  return { artifacts, dir };
}

async function buildWheelApp(engine: Engine): Promise<PipelineView> {
  const loaded = await loadProjectConfig(fixture("wheel-app"));
  if (loaded.kind !== "ok") throw new Error("wheel-app has no valid config");
  const started = await engine.start({
    trigger: {
      source: "github",
      event: "push",
      sha: COMMIT,
      ref: "refs/heads/main",
      repo: REPO,
      installationId: 1,
    },
    plan: plan(loaded.config, { defaultPython: "3.11" }),
    source: { kind: "dir", path: fixture("wheel-app") },
  });
  return engine.waitForPipeline(started.pipeline.id);
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

describe("artifacts through the queue", () => {
  it("cross from the runner to the bot's store, and back to the runner that tests them", async () => {
    cluster = new Cluster();
    const { artifacts, dir } = await keptBy(cluster);
    const { engine } = await cluster.replica({ artifacts });
    let runs: ReturnType<typeof recording> | undefined;
    const { workdir } = await cluster.runner({
      pythons: ["3.11"],
      wrap: (real) => (runs = recording(real)),
    });

    const done = await buildWheelApp(engine);

    expect(done.jobs.map((job) => [job.spec.key, job.conclusion])).toEqual([
      ["test-3.11-linux", "success"],
      ["build", "success"],
      ["integration-3.11", "success"],
    ]);
    const build = done.jobs.find((job) => job.spec.key === "build")?.result;
    const built = build?.artifacts ?? [];
    expect(built.map((a) => a.kind)).toContain("wheel");
    const kept = await artifacts.artifactsFor(REPO, COMMIT);
    expect(kept.map(({ record }) => record.sha256)).toEqual(built.map((a) => a.sha256));
    for (const { record, path } of kept) {
      expect(path.startsWith(dir)).toBe(true);
      expect(build?.reports[`dist/${record.name}`]).toBe(path);
      expect(sha256(await readFile(path))).toBe(record.sha256);
    }
    const integration = runs?.requests.find((r) => r.spec.key === "integration-3.11");
    const inputs = integration?.inputs?.artifacts ?? [];
    expect(inputs.map((input) => input.sha256)).toEqual(built.map((a) => a.sha256));
    for (const input of inputs) expect(input.path.startsWith(join(workdir, "inputs"))).toBe(true);
    expect(await readdir(join(workdir, "inputs"))).toEqual([]);
    const redis = new Redis(TEST_REDIS_URL);
    cluster.defer(() => redis.quit());
    for (const artifact of built) {
      const ttl = await redis.ttl(pylotKeys.blob(cluster.prefix, artifact.sha256));
      expect(ttl).toBeGreaterThan(0);
    }
  });

  it("fail the build, naming the file, when one is over the size a file may cross", async () => {
    cluster = new Cluster();
    const { artifacts } = await keptBy(cluster);
    const { engine } = await cluster.replica({ artifacts });
    await cluster.runner({ pythons: ["3.11"], blobs: { maxBytes: 100 } });

    const done = await buildWheelApp(engine);

    expect(done.jobs.map((job) => [job.spec.key, job.conclusion])).toEqual([
      ["test-3.11-linux", "success"],
      ["build", "failure"],
      ["integration-3.11", "skipped"],
    ]);
    const summary = done.jobs.find((job) => job.spec.key === "build")?.result?.summary;
    expect(summary).toMatch(/^artifacts could not be sent to the bot: /);
    expect(summary).toMatch(
      /wheel_app-1\.2\.3-py3-none-any\.whl: it is \d+\.\d KiB, over the 100 B a file may cross the queue/,
    );
    expect(await artifacts.artifactsFor(REPO, COMMIT)).toEqual([]);
  });
});
