import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ArtifactFiles } from "../../../src/artifacts/index.js";
import { createQueueDispatcher } from "../../../src/dispatch/index.js";
import { receiveArtifacts, sendArtifacts } from "../../../src/dispatch/queue/blob-transfer.js";
import { BlobStore } from "../../../src/dispatch/queue/blobs.js";
import type { DispatchRequest } from "../../../src/engine/ports.js";
import type { Artifact, JobResult } from "../../../src/pipeline/types.js";
import { scriptedExecutor } from "../../helpers/engine.js";
import { TEST_REDIS_URL } from "../../helpers/redis.js";
import { Cluster, fixture, logger } from "./harness.js";

/** Files through Redis, with real Redis: what arrives is what was sent, or a clear failure. */

let cluster: Cluster;
let blobs: BlobStore;
let redis: Redis;
beforeEach(() => {
  cluster = new Cluster();
  blobs = new BlobStore({ connection: TEST_REDIS_URL, prefix: cluster.prefix, logger });
  redis = new Redis(TEST_REDIS_URL);
});
afterEach(async () => {
  await blobs.close();
  await redis.quit();
  await cluster.cleanup();
});

async function builtFile(
  name: string,
  bytes: Buffer,
): Promise<{ path: string; artifact: Artifact }> {
  const path = join(await cluster.tempDir(), name);
  await writeFile(path, bytes);
  return { path, artifact: { name, size: bytes.length, sha256: digest(bytes), kind: "wheel" } };
}

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function resultWith(artifact: Artifact, path: string): JobResult {
  return {
    jobId: "p1:build",
    attempt: 1,
    conclusion: "success",
    summary: "built it",
    startedAt: "2024-06-01T10:00:00.000Z",
    finishedAt: "2024-06-01T10:01:00.000Z",
    logTail: "",
    steps: [],
    reports: { "job.log": "/runner/reports/job.log", [`dist/${artifact.name}`]: path },
    timings: {},
    artifacts: [artifact],
  };
}

describe("a runner's artifacts", () => {
  it("arrive byte for byte in the bot's store, in 1 MiB ranges, with the report pointing there", async () => {
    const bytes = randomBytes(2.5 * 1024 * 1024);
    const { path, artifact } = await builtFile("big-1.0-py3-none-any.whl", bytes);
    const files = new ArtifactFiles(await cluster.tempDir());

    const sent = await sendArtifacts(blobs, resultWith(artifact, path));
    const arrived = await receiveArtifacts(blobs, files, sent, "runner-a");

    expect(sent.conclusion).toBe("success");
    expect(arrived).toMatchObject({ conclusion: "success", artifacts: [artifact] });
    expect(arrived.reports).toEqual({
      "job.log": "/runner/reports/job.log",
      [`dist/${artifact.name}`]: files.pathOf(artifact.sha256),
    });
    const kept = await readFile(files.pathOf(artifact.sha256));
    // Digests, not the buffers: a deep comparison of megabytes takes seconds.
    expect(digest(kept)).toBe(digest(bytes));
  });

  it("that never reached Redis fail the job, saying which file and why", async () => {
    const { path, artifact } = await builtFile("app-1.0-py3-none-any.whl", Buffer.from("wheel"));
    const files = new ArtifactFiles(await cluster.tempDir());

    const arrived = await receiveArtifacts(blobs, files, resultWith(artifact, path), "runner-a");

    expect(arrived).toMatchObject({
      conclusion: "failure",
      summary:
        "artifacts from runner runner-a did not arrive: app-1.0-py3-none-any.whl: it is not in Redis (never sent, or expired after 86400 s)",
      artifacts: [],
      reports: { "job.log": "/runner/reports/job.log" },
    });
    expect(await files.sizeOf(artifact.sha256)).toBeUndefined();
  });

  it("whose blob was altered in Redis are refused, and nothing is kept", async () => {
    const { path, artifact } = await builtFile("app-1.0-py3-none-any.whl", Buffer.from("wheel"));
    const files = new ArtifactFiles(await cluster.tempDir());
    const sent = await sendArtifacts(blobs, resultWith(artifact, path));
    await redis.set(blobs.key(artifact.sha256), "WHEEL", "KEEPTTL");

    const arrived = await receiveArtifacts(blobs, files, sent, "runner-a");

    expect(arrived.conclusion).toBe("failure");
    expect(arrived.summary).toMatch(
      /app-1\.0-py3-none-any\.whl: SHA-256 is [0-9a-f]{64}, expected/,
    );
    expect(await files.sizeOf(artifact.sha256)).toBeUndefined();
  });

  it("that changed on the runner since they were recorded are not sent", async () => {
    const { path, artifact } = await builtFile("app-1.0-py3-none-any.whl", Buffer.from("wheel"));
    await writeFile(path, "WHEEL");

    const sent = await sendArtifacts(blobs, resultWith(artifact, path));

    expect(sent).toMatchObject({
      conclusion: "failure",
      summary:
        "artifacts could not be sent to the bot: app-1.0-py3-none-any.whl: the file changed after it was built",
      artifacts: [],
    });
    expect(await redis.exists(blobs.key(artifact.sha256))).toBe(0);
  });
});

describe("a job's inputs", () => {
  it("that the bot could not send fail the job on its runner, which runs nothing", async () => {
    const finished: JobResult[] = [];
    const dispatcher = createQueueDispatcher({
      connection: TEST_REDIS_URL,
      prefix: cluster.prefix,
      events: {
        started: () => Promise.resolve(),
        finished: (result) => {
          finished.push(result);
          return Promise.resolve();
        },
      },
      logger,
    });
    cluster.defer(() => dispatcher.close());
    const executor = scriptedExecutor(() => ({ conclusion: "success" }));
    await cluster.runner({ pythons: ["3.12"], wrap: () => executor });
    const request: DispatchRequest = {
      jobId: "pipe-1:integration",
      attempt: 1,
      pipelineId: "pipe-1",
      spec: {
        key: "integration",
        name: "integration",
        kind: "test",
        leg: { python: "3.12", os: "linux", extra: {} },
        needs: ["build"],
        install: [],
        systemSitePackages: false,
        steps: [],
        timeoutMs: 60_000,
        matrix: false,
      },
      source: { kind: "dir", path: fixture("wheel-app") },
      sha: "abc123",
      ref: "refs/heads/main",
      secrets: {},
      inputs: {
        artifacts: [
          {
            name: "app-1.0-py3-none-any.whl",
            size: 5,
            sha256: "9".repeat(64),
            kind: "wheel",
            path: "/nowhere/on/this/host.whl",
            job: "build",
          },
        ],
      },
    };

    await dispatcher.enqueue(request);
    await vi.waitFor(
      () => {
        expect(finished).toHaveLength(1);
      },
      { timeout: 20_000 },
    );

    expect(executor.calls).toEqual([]);
    expect(finished[0]).toMatchObject({
      jobId: "pipe-1:integration",
      conclusion: "failure",
      summary:
        "inputs of this job did not arrive: app-1.0-py3-none-any.whl: it is not in Redis (never sent, or expired after 86400 s)",
    });
  });
});
