import { describe, expect, it } from "vitest";
import { deployPipeline } from "../../src/deploy/deploy-job.js";
import type {
  DeployFinishClaim,
  DeployRun,
  PipelineRecord,
  Store,
} from "../../src/engine/ports.js";
import { deployRun } from "./store-contract-chatops.js";

/**
 * Finishing deployments a restart interrupted (issue 9): which runs are still open, with their
 * deploy pipeline, and the claim that lets one process at a time finish one.
 */

const FRESH = { staleBefore: "2024-05-01T04:00:00.000Z" };
const T0 = "2024-05-01T10:00:00.000Z";
const T1 = "2024-05-01T10:00:30.000Z";
const T2 = "2024-05-01T10:01:00.000Z";

function claim(holder: string, overrides: Partial<DeployFinishClaim> = {}): DeployFinishClaim {
  return { holder, now: T0, until: T1, openOnly: true, ...overrides };
}

/** The deploy pipeline Pylot starts for a run (or, with `event`, another commit pipeline). */
function pipelineOf(
  id: string,
  run: DeployRun,
  options: { readonly event?: "deploy" | "push"; readonly deploymentId?: number } = {},
): PipelineRecord {
  const { plan } = run;
  return {
    id,
    trigger: {
      source: "github",
      event: options.event ?? "deploy",
      sha: plan.sha,
      ref: plan.sha,
      repo: run.repo,
      installationId: run.installationId,
    },
    plan: deployPipeline({
      plan,
      deploymentId: options.deploymentId ?? run.deploymentId,
      python: "3.12",
      timeoutMs: 60_000,
      secrets: { TOKEN: "x" },
    }),
    source: { kind: "github", repo: run.repo, sha: plan.sha, installationId: run.installationId },
    status: "completed",
    conclusion: "success",
    createdAt: run.createdAt,
    updatedAt: run.createdAt,
    cancelReason: null,
  };
}

export function describeDeployRecoveryContract(current: () => Store): void {
  describe("open deploy runs (finished after a restart)", () => {
    it("lists unfinished runs oldest first, each with its own deploy pipeline if any", async () => {
      const store = current();
      const production = { ...deployRun(6).plan, env: "production" };
      const [started, unstarted, done] = [
        deployRun(5, { createdAt: "2024-05-01T10:05:00.000Z" }),
        deployRun(6, { plan: production }),
        deployRun(7, { plan: { ...production, env: "qa" } }),
      ];
      for (const run of [started, unstarted, done]) await store.startDeployRun(run, FRESH);
      await store.finishDeployRun(done.repo, 7, T2);
      await store.createPipeline(pipelineOf("ci", started, { event: "push" }), []);
      await store.createPipeline(pipelineOf("other-deploy", unstarted, { deploymentId: 9 }), []);
      await store.createPipeline(pipelineOf("deploy-5", started), []);
      await store.createPipeline(pipelineOf("deploy-7", done), []);

      const open = await store.listOpenDeployRuns();

      expect(open).toEqual([{ run: unstarted }, { run: started, pipelineId: "deploy-5" }]);
    });

    it("lets one holder claim a run, renew it, and another take it once it lapsed", async () => {
      const store = current();
      const run = deployRun(5);
      await store.startDeployRun(run, FRESH);

      const first = await store.claimDeployFinish(run.repo, 5, claim("a"));
      const other = await store.claimDeployFinish(run.repo, 5, claim("b"));
      const renewed = await store.claimDeployFinish(run.repo, 5, claim("a", { until: T2 }));
      const early = await store.claimDeployFinish(run.repo, 5, claim("b", { now: T1 }));
      const listed = await store.listOpenDeployRuns();
      const lapsed = await store.claimDeployFinish(
        run.repo,
        5,
        claim("b", { now: "2024-05-01T10:01:00.001Z", until: "2024-05-01T10:02:00.000Z" }),
      );
      const unknown = await store.claimDeployFinish(run.repo, 6, claim("a"));

      expect([first, other, renewed, early, lapsed, unknown]).toEqual([
        true,
        false,
        true,
        false,
        true,
        false,
      ]);
      expect(listed).toEqual([{ run, claimedUntil: T2 }]);
      expect(await store.getDeployRun(run.repo, 5)).toEqual(run);
    });

    it("claims a finished run only for its pipeline's own end, not for a recovery", async () => {
      const store = current();
      const run = deployRun(5);
      await store.startDeployRun(run, FRESH);
      await store.finishDeployRun(run.repo, 5, T0);

      const recovery = await store.claimDeployFinish(run.repo, 5, claim("a"));
      const ending = await store.claimDeployFinish(run.repo, 5, claim("a", { openOnly: false }));

      expect([recovery, ending]).toEqual([false, true]);
      expect(await store.listOpenDeployRuns()).toEqual([]);
    });

    it("lets exactly one of several concurrent claimers win", async () => {
      const store = current();
      await store.startDeployRun(deployRun(5), FRESH);
      const holders = ["r1", "r2", "r3", "r4", "r5"];

      const results = await Promise.all(
        holders.map((holder) => store.claimDeployFinish("octo/app", 5, claim(holder))),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
