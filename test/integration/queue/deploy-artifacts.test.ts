import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createArtifacts } from "../../../src/artifacts/index.js";
import { loadProjectConfig } from "../../../src/config/index.js";
import { findBuildEvidence } from "../../../src/deploy/build-evidence.js";
import { deployGate } from "../../../src/deploy/gate.js";
import { deployPipeline } from "../../../src/deploy/orchestrate.js";
import type { Engine } from "../../../src/engine/index.js";
import type { PipelineView } from "../../../src/engine/ports.js";
import { plan } from "../../../src/pipeline/index.js";
import { Cluster, fixture, logger, recording } from "./harness.js";

/**
 * The tested artifact, deployed through the queue: a runner with its own workdir (no disk shared
 * with the bot) builds the wheel-app fixture; the bot keeps the files; a deploy of that commit
 * then reaches a runner as references by content, its files come through Redis, and the deploy
 * command sees exactly the build's bytes.
 */

let cluster: Cluster;
afterEach(async () => {
  await cluster.cleanup();
});

const REPO = "octo/wheel-app";
const COMMIT = "6".repeat(40);
const trigger = { source: "github", sha: COMMIT, repo: REPO, installationId: 1 } as const;

async function wheelAppConfig() {
  const loaded = await loadProjectConfig(fixture("wheel-app"));
  if (loaded.kind !== "ok") throw new Error("wheel-app has no valid config");
  // The integration stage has its own tests; a build is what a deploy needs.
  return { ...loaded.config, integration: undefined };
}

async function build(engine: Engine): Promise<PipelineView> {
  const started = await engine.start({
    trigger: { ...trigger, event: "push", ref: "refs/heads/main" },
    plan: plan(await wheelAppConfig(), { defaultPython: "3.11" }),
    source: { kind: "dir", path: fixture("wheel-app") },
  });
  return engine.waitForPipeline(started.pipeline.id);
}

describe("a deploy through the queue", () => {
  it("gets the build's files on a runner that shares no disk with the bot", async () => {
    cluster = new Cluster();
    const store = await cluster.store();
    const artifacts = createArtifacts({
      workdir: await cluster.tempDir(),
      index: store.artifacts,
      retentionDays: undefined,
      logger,
    });
    const { engine } = await cluster.replica({ artifacts });
    let runs: ReturnType<typeof recording> | undefined;
    const { workdir } = await cluster.runner({
      pythons: ["3.11"],
      wrap: (real) => (runs = recording(real)),
    });
    const built = await build(engine);
    const config = await wheelAppConfig();
    const evidence = await findBuildEvidence({
      store,
      repo: REPO,
      sha: COMMIT,
      build: config.build,
      now: new Date(),
      retentionDays: undefined,
    });
    const gate = deployGate({
      env: "staging",
      config: { staging: { run: "unused", allow: ["write"], requires: [] } },
      headSha: COMMIT,
      checks: [{ name: "Pylot", status: "completed", conclusion: "success" }],
      deployments: [],
      force: false,
      build: evidence,
    });
    if (!gate.ok) throw new Error(gate.message);
    const run = 'cd "$PYLOT_ARTIFACTS" && sha256sum * && echo "wheel=$PYLOT_WHEEL"';

    const started = await engine.start({
      trigger: { ...trigger, event: "deploy", ref: COMMIT },
      plan: deployPipeline({
        plan: { ...gate.plan, run },
        deploymentId: 88,
        python: "3.11",
        timeoutMs: 60_000,
        secrets: {},
      }),
      source: { kind: "dir", path: fixture("wheel-app") },
    });
    const done = await engine.waitForPipeline(started.pipeline.id);

    const recorded = built.jobs.find((job) => job.spec.key === "build")?.result?.artifacts ?? [];
    const deploy = runs?.requests.find((request) => request.spec.kind === "deploy");
    const log = done.jobs[0]?.result?.logTail ?? "";
    expect(built.pipeline.conclusion).toBe("success");
    expect(recorded.map((artifact) => artifact.kind)).toEqual(["sdist", "wheel"]);
    expect(evidence).toEqual({ kind: "built", artifacts: recorded });
    expect(done.pipeline.conclusion).toBe("success");
    expect(deploy?.inputs?.artifacts.map((input) => input.sha256)).toEqual(
      recorded.map((artifact) => artifact.sha256),
    );
    for (const input of deploy?.inputs?.artifacts ?? [])
      expect(input.path.startsWith(join(workdir, "inputs"))).toBe(true);
    for (const artifact of recorded)
      expect(log).toContain(`${artifact.sha256}  ${artifact.name}\n`);
    expect(log).toMatch(/^wheel=\/\S+\/artifacts\/wheel_app-1\.2\.3-py3-none-any\.whl$/m);
  });
});
