import { describe, expect, it } from "vitest";
import type { DeployPlan } from "../../src/deploy/gate.js";
import type { DeploymentRecord, EnvLock } from "../../src/deploy/types.js";
import type { DeployRun, PipelineRecord, Store } from "../../src/engine/ports.js";

/** Builders for the ChatOps tables: small valid records each test adjusts. */

const REPO = "octo/app";
const SHA = "c".repeat(40);

export function envLock(pr: number, overrides: Partial<EnvLock> = {}): EnvLock {
  return { env: "staging", pr, actor: `dev${pr}`, since: "2024-05-01T09:30:00.000Z", ...overrides };
}

export function deployment(
  id: number,
  overrides: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    id,
    sha: SHA,
    environment: "staging",
    createdAt: new Date(Date.UTC(2024, 4, 1, 9) + id * 60_000).toISOString(),
    state: "success",
    creator: "pylot[bot]",
    task: "deploy",
    ...overrides,
  };
}

export function deployRun(deploymentId: number, overrides: Partial<DeployRun> = {}): DeployRun {
  const plan: DeployPlan = {
    env: "staging",
    sha: SHA,
    task: "deploy",
    productionEnvironment: false,
    run: "./scripts/deploy.sh staging",
    pr: 7,
    requires: [],
    bypassedChecks: [],
  };
  return {
    repo: REPO,
    deploymentId,
    installationId: 42,
    origin: { kind: "comment", pr: 7, commentId: 99 },
    actor: "alice",
    plan,
    createdAt: "2024-05-01T10:00:00.000Z",
    ...overrides,
  };
}

const FRESH = { staleBefore: "2024-05-01T04:00:00.000Z" };

function pipelineAt(
  id: string,
  event: "pull_request" | "push" | "deploy",
  createdAt: string,
  ref = "refs/pull/7/head",
): PipelineRecord {
  return {
    id,
    trigger: { source: "github", event, sha: SHA, ref, repo: REPO },
    plan: { jobs: [], failFast: false, warnings: [] },
    source: { kind: "github", repo: REPO, sha: SHA, installationId: 42 },
    status: "running",
    conclusion: null,
    createdAt,
    updatedAt: createdAt,
    cancelReason: null,
  };
}

/** The ChatOps half of the Store contract; `store` is the suite's fresh store. */
export function describeChatOpsContract(current: () => Store): void {
  describe("environment locks", () => {
    it("takes a free lock and reads it back, reason and all", async () => {
      const store = current();
      const lock = envLock(7, { reason: "QA until Friday" });

      const taken = await store.acquireLock(REPO, lock);

      expect(taken).toBe(true);
      expect(await store.getLock(REPO, "staging")).toEqual(lock);
      expect(await store.listLocks(REPO)).toEqual([lock]);
      expect(await store.getLock("octo/other", "staging")).toBeUndefined();
    });

    it("refuses a held lock, even to the same pull request, and keeps the holder", async () => {
      const store = current();
      await store.acquireLock(REPO, envLock(7));

      const other = await store.acquireLock(REPO, envLock(8));
      const same = await store.acquireLock(REPO, envLock(7, { since: "2024-05-02T00:00:00.000Z" }));

      expect([other, same]).toEqual([false, false]);
      expect(await store.getLock(REPO, "staging")).toEqual(envLock(7));
    });

    it("lets exactly one of several concurrent lockers win", async () => {
      const store = current();
      const prs = [11, 12, 13, 14, 15, 16];

      const results = await Promise.all(prs.map((pr) => store.acquireLock(REPO, envLock(pr))));

      const winners = prs.filter((_, i) => results[i] === true);
      expect(winners).toHaveLength(1);
      expect((await store.getLock(REPO, "staging"))?.pr).toBe(winners[0]);
    });

    it("releases only the exact lock it was decided from", async () => {
      const store = current();
      await store.acquireLock(REPO, envLock(7));

      const stale = await store.releaseLock(
        REPO,
        envLock(7, { since: "2024-04-01T00:00:00.000Z" }),
      );
      const wrongPr = await store.releaseLock(REPO, envLock(8));
      const kept = await store.getLock(REPO, "staging");
      const released = await store.releaseLock(REPO, envLock(7));

      expect([stale, wrongPr, released]).toEqual([false, false, true]);
      expect(kept).toEqual(envLock(7));
      expect(await store.getLock(REPO, "staging")).toBeUndefined();
    });

    it("keeps locks per repository and environment", async () => {
      const store = current();

      await store.acquireLock(REPO, envLock(7));
      await store.acquireLock(REPO, envLock(8, { env: "production" }));
      await store.acquireLock("octo/other", envLock(9));

      expect((await store.listLocks(REPO)).map((lock) => [lock.env, lock.pr])).toEqual([
        ["production", 8],
        ["staging", 7],
      ]);
    });
  });

  describe("deployment mirror", () => {
    it("stores deployments and lists them newest first, per environment or all", async () => {
      const store = current();
      const records = [
        deployment(1),
        deployment(3, { environment: "production", actor: "bob", pr: 4 }),
        deployment(2, { task: "deploy:rollback", rollbackFrom: 1, state: "in_progress" }),
      ];

      await store.saveDeployments(REPO, records);

      expect(await store.listDeployments(REPO)).toEqual([records[1], records[2], records[0]]);
      expect(await store.listDeployments(REPO, "staging")).toEqual([records[2], records[0]]);
      expect(await store.listDeployments("octo/other")).toEqual([]);
    });

    it("updates the state of a deployment saved again, and keeps GitHub's large ids", async () => {
      const store = current();
      const big = 3_000_000_001;
      await store.saveDeployments(REPO, [deployment(big, { state: "queued" })]);

      await store.saveDeployments(REPO, [deployment(big, { state: "success" })]);
      await store.saveDeployments(REPO, []);

      expect(await store.listDeployments(REPO)).toEqual([deployment(big, { state: "success" })]);
    });
  });

  describe("deploy runs (one per environment at a time)", () => {
    it("claims the environment and reads the run back", async () => {
      const store = current();
      const from = deployment(4);
      const plan = { ...deployRun(5).plan, task: "deploy:rollback" as const };
      const run = deployRun(5, {
        plan: {
          ...plan,
          rollback: { from, to: deployment(2, { sha: "a".repeat(40) }) },
          artifacts: [{ name: "app-1.0.tar.gz", kind: "sdist", size: 12, sha256: "f".repeat(64) }],
          image: `sha256:${"e".repeat(64)}`,
        },
        environmentUrl: "https://staging.example",
      });

      const started = await store.startDeployRun(run, FRESH);

      expect(started).toBe(true);
      expect(await store.getDeployRun(REPO, 5)).toEqual(run);
      expect(await store.getDeployRun(REPO, 6)).toBeUndefined();
    });

    it("refuses a second unfinished run of the environment until the first finishes", async () => {
      const store = current();
      await store.startDeployRun(deployRun(5), FRESH);

      const second = await store.startDeployRun(deployRun(6), FRESH);
      const production = await store.startDeployRun(
        deployRun(7, { plan: { ...deployRun(7).plan, env: "production" } }),
        FRESH,
      );
      await store.finishDeployRun(REPO, 5, "2024-05-01T10:05:00.000Z");
      const afterwards = await store.startDeployRun(deployRun(8), FRESH);

      expect([second, production, afterwards]).toEqual([false, true, true]);
      expect(await store.getDeployRun(REPO, 5)).toEqual(deployRun(5));
    });

    it("lets a new run replace one presumed dead", async () => {
      const store = current();
      await store.startDeployRun(deployRun(5, { createdAt: "2024-05-01T01:00:00.000Z" }), FRESH);

      const next = await store.startDeployRun(deployRun(6), FRESH);

      expect(next).toBe(true);
    });

    it("refuses a run while another pull request holds the lock, in the same statement", async () => {
      const store = current();
      await store.acquireLock(REPO, envLock(8));
      const branchPlan = { ...deployRun(6).plan };
      delete branchPlan.pr;

      const other = await store.startDeployRun(deployRun(5), FRESH);
      const branch = await store.startDeployRun(
        deployRun(6, { plan: branchPlan, origin: { kind: "push", branch: "main" } }),
        FRESH,
      );
      const holder = await store.startDeployRun(
        deployRun(7, { plan: { ...deployRun(7).plan, pr: 8 } }),
        FRESH,
      );

      expect([other, branch, holder]).toEqual([false, false, true]);
      expect(await store.getDeployRun(REPO, 5)).toBeUndefined();
    });

    it("reads back every origin and health check, and runs stored before origins", async () => {
      const store = current();
      const branchPlan = { ...deployRun(5).plan };
      delete branchPlan.pr;
      const health = { url: "https://staging.example/health", timeout: 30 };
      const pushed = deployRun(5, {
        plan: branchPlan,
        origin: { kind: "push", branch: "main" },
        health,
      });
      const rollback = deployRun(6, {
        plan: { ...deployRun(6).plan, env: "production" },
        origin: { kind: "health-check", failedDeploymentId: 5, pr: 7 },
      });
      const qa = deployRun(7, { plan: { ...deployRun(7).plan, env: "qa" } });
      // A run as stored before origins existed (JSON drops the undefined origin).
      const legacy = { ...qa, origin: undefined, pr: 7, commentId: 99 } as unknown as DeployRun;

      await store.startDeployRun(pushed, FRESH);
      await store.startDeployRun(rollback, FRESH);
      await store.startDeployRun(legacy, FRESH);

      expect(await store.getDeployRun(REPO, 5)).toEqual(pushed);
      expect(await store.getDeployRun(REPO, 6)).toEqual(rollback);
      expect(await store.getDeployRun(REPO, 7)).toEqual(qa);
    });

    it("lets exactly one of several concurrent runs of one environment start", async () => {
      const store = current();
      const ids = [21, 22, 23, 24, 25];

      const results = await Promise.all(
        ids.map((id) => store.startDeployRun(deployRun(id), FRESH)),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe("deploy pipelines", () => {
    it("are not a commit's CI pipeline, but do resume after a restart", async () => {
      const store = current();
      await store.createPipeline(pipelineAt("ci", "pull_request", "2024-05-01T10:00:00.000Z"), []);
      await store.createPipeline(pipelineAt("dep", "deploy", "2024-05-01T10:05:00.000Z"), []);

      const found = await store.findPipelineBySha(REPO, SHA);
      const running = await store.listRunningPipelines();

      expect(found?.id).toBe("ci");
      expect(running.map((pipeline) => pipeline.id)).toEqual(["ci", "dep"]);
    });

    it("of a branch are neither its latest pipeline nor superseded by its pushes", async () => {
      const store = current();
      const main = "refs/heads/main";
      await store.createPipeline(pipelineAt("ci", "push", "2024-05-01T10:00:00.000Z", main), []);
      await store.createPipeline(pipelineAt("dep", "deploy", "2024-05-01T10:05:00.000Z", main), []);

      const latest = await store.latestPipeline({ repo: REPO, ref: main, completedOnly: false });
      const running = await store.findRunningPipelines({ repo: REPO, ref: main });

      expect(latest?.id).toBe("ci");
      expect(running.map((pipeline) => pipeline.id)).toEqual(["ci"]);
    });
  });

  describe("/ok-to-test approvals", () => {
    it("are bound to one pull request and commit, and the first one is kept", async () => {
      const store = current();
      const approval = {
        repo: REPO,
        pr: 7,
        sha: SHA,
        actor: "alice",
        approvedAt: "2024-05-01T10:00:00.000Z",
      };

      await store.recordApproval(approval);
      await store.recordApproval({ ...approval, actor: "bob" });

      expect(await store.findApproval(REPO, 7, SHA)).toEqual(approval);
      expect(await store.findApproval(REPO, 7, "d".repeat(40))).toBeUndefined();
      expect(await store.findApproval(REPO, 8, SHA)).toBeUndefined();
    });
  });
}
