import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { DeployPlan } from "../../../src/deploy/gate.js";
import { deployPipeline } from "../../../src/deploy/orchestrate.js";
import { deploySecrets } from "../../../src/deploy/secrets.js";
import { createLocalDispatcher } from "../../../src/dispatch/index.js";
import { Engine } from "../../../src/engine/index.js";
import { createLocalExecutor } from "../../../src/runner/index.js";
import { openStore } from "../../../src/store/index.js";
import { recordingReporter } from "../../helpers/engine.js";

const logger = pino({ level: "silent" });
const PROJECT = resolve(import.meta.dirname, "project");
const TOKEN = "tok-9f8e7d6c5b4a";
const SHA = "c".repeat(40);
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The App's deploy path below GitHub: store, engine, local pool, real runner. */
async function deployStack() {
  const workdir = await tempDir("pylot-deploy-work-");
  const store = await openStore({ url: "sqlite::memory:", logger });
  const reporter = recordingReporter();
  const engine = new Engine({ store, reporterFor: () => reporter, logger });
  const executor = createLocalExecutor({ workdir, pythons: "3.11=/usr/bin/python3", logger });
  const dispatcher = createLocalDispatcher({ executor, concurrency: 1, events: engine, logger });
  engine.attach(dispatcher);
  cleanups.push(async () => {
    await dispatcher.close();
    await engine.idle();
    await store.close();
  });
  return { engine, reporter };
}

function plan(run: string): DeployPlan {
  return {
    env: "staging",
    sha: SHA,
    task: "deploy",
    productionEnvironment: false,
    run,
    pr: 7,
    requires: [],
    bypassedChecks: [],
  };
}

async function deploy(botEnv: Record<string, string>) {
  const { engine } = await deployStack();
  const secrets = deploySecrets(botEnv, "staging", { environments: ["staging", "production"] });
  const started = await engine.start({
    trigger: { source: "github", event: "deploy", sha: SHA, ref: "refs/pull/7/head" },
    plan: deployPipeline({
      plan: plan("sh scripts/deploy.sh"),
      deploymentId: 4242,
      python: "3.11",
      timeoutMs: 60_000,
      secrets,
    }),
    source: { kind: "dir", path: PROJECT },
    secrets,
  });
  return engine.waitForPipeline(started.pipeline.id);
}

describe("a deploy job on the local runner", () => {
  it("runs the environment's command with its secrets, and masks them in the log", async () => {
    const out = await tempDir("pylot-deploy-out-");

    const done = await deploy({
      PYLOT_ENV_STAGING_SECRET_TOKEN: TOKEN,
      PYLOT_ENV_STAGING_OUT_DIR: out,
      PYLOT_ENV_PRODUCTION_PROD_ONLY: "never-in-staging",
    });

    const job = done.jobs[0];
    const written = await readFile(join(out, "deployed.txt"), "utf8");
    expect(done.pipeline.conclusion).toBe("success");
    expect(written).toBe(
      `environment=staging\ndeployment=4242\ntoken_length=${TOKEN.length}\nother=unset\n`,
    );
    expect(job?.result?.summary).toContain("deployed to staging");
    expect(job?.result?.logTail).toContain(`deploying ${SHA} to staging with token ***`);
    expect(job?.result?.logTail).not.toContain(TOKEN);
    const log = await readFile(job?.result?.reports["job.log"] ?? "", "utf8");
    expect(log).toContain("with token ***");
    expect(log).not.toContain(TOKEN);
  });

  it("fails when the deploy command fails, with its exit code", async () => {
    const out = await tempDir("pylot-deploy-out-");

    const done = await deploy({
      PYLOT_ENV_STAGING_SECRET_TOKEN: TOKEN,
      PYLOT_ENV_STAGING_OUT_DIR: out,
      PYLOT_ENV_STAGING_FAIL: "yes",
    });

    const job = done.jobs[0];
    expect(done.pipeline.conclusion).toBe("failure");
    expect(job?.result?.summary).toBe("the deploy to staging failed (exit 3)");
    expect(job?.result?.logTail).toContain("the target refused the release");
    expect(job?.result?.steps.map((step) => [step.name, step.exitCode])).toEqual([
      ["venv", 0],
      ["deploy", 3],
    ]);
  });
});
