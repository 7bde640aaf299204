import { describe, expect, it } from "vitest";
import type { DeployEnvironment } from "../../../src/config/schema.js";
import {
  deployGate,
  isProductionEnvironment,
  type DeployGateInput,
} from "../../../src/deploy/gate.js";
import type { CheckState, EnvLock } from "../../../src/deploy/types.js";
import { A, B, C, dep, rollbackDep } from "./history-fixtures.js";

const config: Record<string, DeployEnvironment> = {
  staging: { run: "./scripts/deploy.sh staging", allow: ["write"], requires: [] },
  production: { run: "./scripts/deploy.sh production", allow: ["admin"], requires: ["staging"] },
  "prod-eu": { run: "./deploy eu", allow: ["admin"], requires: ["staging", "production"] },
};
const check = (name: string, conclusion: string | null, status = "completed"): CheckState => ({
  name,
  status,
  conclusion,
});
const GREEN = [
  check("Pylot", "success"),
  check("Pylot / lint", "success"),
  check("Pylot / test (3.12, linux)", "success"),
  check("Pylot / security", "skipped"),
  check("Pylot / coverage", "neutral"),
];
const lock = (pr: number): EnvLock => ({
  env: "staging",
  pr,
  actor: "alice",
  reason: "QA until Friday",
  since: "2024-05-01T09:30:00Z",
});
const WHEEL = {
  name: "app-1.0-py3-none-any.whl",
  kind: "wheel",
  size: 1200,
  sha256: "1".repeat(64),
} as const;
const IMAGE = `sha256:${"2".repeat(64)}`;
const base: DeployGateInput = {
  env: "staging",
  config,
  headSha: C,
  checks: GREEN,
  deployments: [],
  pr: 7,
  force: false,
};

describe("deployGate: refusals", () => {
  it.each<{ name: string; input: Partial<DeployGateInput>; reason: string; message?: string }>([
    { name: "unknown environment", input: { env: "qa" }, reason: "unknown-environment" },
    { name: "a branch name, not a SHA", input: { headSha: "main" }, reason: "invalid-sha" },
    { name: "upper-case SHA", input: { headSha: C.toUpperCase() }, reason: "invalid-sha" },
    {
      name: "fork, even forced",
      input: { fromFork: true, force: true },
      reason: "fork-pull-request",
    },
    {
      name: "a deployment of the environment is running",
      input: { deployments: [dep(3, B, "in_progress")] },
      reason: "deployment-in-progress",
      message:
        "Deployment 3 of bbbbbbb to staging is still in progress; one deployment per environment at a time, so try again when it has finished.",
    },
    {
      name: "a queued deployment, recent",
      input: { deployments: [dep(3, B, "queued")], now: "2024-05-01T10:00:00Z" },
      reason: "deployment-in-progress",
    },
    {
      name: "locked by another pull request",
      input: { lock: lock(3) },
      reason: "locked",
      message:
        "staging is locked by PR #3 (alice) since 2024-05-01 09:30 UTC: QA until Friday. It can deploy once that pull request unlocks it, is merged or closed.",
    },
    {
      name: "no Pylot checks",
      input: { checks: [check("other-ci", "success")] },
      reason: "checks-missing",
    },
    {
      name: "a failing and a pending check",
      input: {
        checks: [
          ...GREEN.slice(0, 2),
          check("Pylot / typecheck", "failure"),
          check("Pylot / test (3.11, linux)", null, "in_progress"),
        ],
      },
      reason: "checks-failing",
      message:
        "Checks on ccccccc are not green: Pylot / typecheck (failure), Pylot / test (3.11, linux) (in progress).",
    },
    {
      name: "only pending checks",
      input: { checks: [check("Pylot", null, "queued"), check("Pylot / lint", "success")] },
      reason: "checks-pending",
      message: "Checks on ccccccc are still running: Pylot (queued).",
    },
    {
      name: "neutral summary: the fork gate, nothing ran",
      input: { checks: [check("Pylot", "neutral")] },
      reason: "checks-failing",
    },
    {
      name: "cancelled job",
      input: { checks: [...GREEN, check("Pylot / build", "cancelled")] },
      reason: "checks-failing",
    },
    {
      name: "unknown conclusion fails closed",
      input: { checks: [...GREEN, check("Pylot / build", "startup_failure")] },
      reason: "checks-failing",
    },
    {
      name: "requires: never deployed to staging",
      input: { env: "production" },
      reason: "requires-not-met",
      message: "production requires ccccccc to be deployed successfully to staging first.",
    },
    {
      name: "requires: staging deploy of this SHA failed",
      input: { env: "production", deployments: [dep(4, C, "failure")] },
      reason: "requires-not-met",
    },
    {
      name: "requires: another SHA on staging",
      input: { env: "production", deployments: [dep(4, B, "success")] },
      reason: "requires-not-met",
    },
    {
      name: "requires: this SHA was rolled back on staging",
      input: {
        env: "production",
        deployments: [
          rollbackDep(5, B, "success", 4),
          dep(4, C, "inactive"),
          dep(3, B, "inactive"),
        ],
      },
      reason: "requires-not-met",
    },
    {
      name: "requires: staging deployment still running",
      input: { env: "production", deployments: [dep(4, C, "in_progress")] },
      reason: "requires-not-met",
    },
    {
      name: "requires: names every missing environment",
      input: { env: "prod-eu" },
      reason: "requires-not-met",
      message:
        "prod-eu requires ccccccc to be deployed successfully to staging and production first.",
    },
    {
      name: "a project that builds: no successful build of the commit",
      input: { build: { kind: "no-build", why: "its build job ended failure" } },
      reason: "no-successful-build",
      message:
        "ccccccc has no successful build (its build job ended failure): build first: /retest.",
    },
    {
      name: "no successful build, even forced past the checks",
      input: { force: true, checks: [], build: { kind: "no-build", why: "no pipeline ran on it" } },
      reason: "no-successful-build",
    },
    {
      name: "the build's files expired",
      input: { build: { kind: "expired", retentionDays: 7 } },
      reason: "artifacts-expired",
      message:
        "The artifacts of ccccccc expired (retention 7 days). Pylot deploys only what CI built and kept: re-run its Pylot / build check run to build it again.",
    },
    {
      name: "red checks are named before the build",
      input: {
        checks: [check("Pylot / build", "failure")],
        build: { kind: "no-build", why: "its build job ended failure" },
      },
      reason: "checks-failing",
    },
    {
      name: "a lock is named before the build",
      input: { lock: lock(3), build: { kind: "expired", retentionDays: 30 } },
      reason: "locked",
    },
  ])("$name", ({ input, reason, message }) => {
    const result = deployGate({ ...base, ...input });

    expect(result).toMatchObject({
      ok: false,
      reason,
      ...(message === undefined ? {} : { message }),
    });
  });
});

describe("deployGate: plans", () => {
  it("plans the exact head SHA with the default branch's command", () => {
    const result = deployGate(base);

    expect(result).toEqual({
      ok: true,
      plan: {
        env: "staging",
        sha: C,
        task: "deploy",
        productionEnvironment: false,
        run: "./scripts/deploy.sh staging",
        pr: 7,
        requires: [],
        bypassedChecks: [],
      },
    });
  });

  it.each<{ name: string; input: Partial<DeployGateInput>; plan: Record<string, unknown> }>([
    { name: "lock held by this pull request", input: { lock: lock(7) }, plan: { sha: C } },
    {
      name: "running deployment elsewhere",
      input: { deployments: [dep(3, B, "in_progress", { environment: "production" })] },
      plan: { sha: C },
    },
    {
      name: "stale running deployment",
      input: { deployments: [dep(3, B, "in_progress")], now: "2024-05-02T09:00:00Z" },
      plan: { sha: C },
    },
    {
      name: "failed deploy check does not block",
      input: { checks: [...GREEN, check("Pylot / deploy (staging)", "failure")] },
      plan: { bypassedChecks: [] },
    },
    {
      name: "other apps' checks are not ours to judge",
      input: { checks: [...GREEN, check("codecov/patch", "failure")] },
      plan: { bypassedChecks: [] },
    },
    {
      name: "forced past red checks",
      input: { force: true, checks: [check("Pylot", "failure"), check("Pylot / lint", "failure")] },
      plan: { bypassedChecks: ["Pylot (failure)", "Pylot / lint (failure)"] },
    },
    {
      name: "forced with no checks at all",
      input: { force: true, checks: [] },
      plan: { bypassedChecks: ["no Pylot checks ran"] },
    },
    {
      name: "production after staging",
      input: { env: "production", deployments: [dep(4, C, "success"), dep(3, B, "inactive")] },
      plan: {
        productionEnvironment: true,
        run: "./scripts/deploy.sh production",
        requires: [{ env: "staging", deploymentId: 4 }],
      },
    },
    {
      name: "staging deployment since superseded (inactive) still counts",
      input: { env: "production", deployments: [dep(5, B, "success"), dep(4, C, "inactive")] },
      plan: { requires: [{ env: "staging", deploymentId: 4 }] },
    },
  ])("$name", ({ input, plan }) => {
    const result = deployGate({ ...base, ...input });

    expect(result).toMatchObject({ ok: true, plan });
  });

  it("hands the plan the commit's kept build: its files and image", () => {
    const built = deployGate({
      ...base,
      build: { kind: "built", artifacts: [WHEEL], image: IMAGE },
    });
    const plain = deployGate({ ...base, build: { kind: "not-required" } });

    expect(built).toMatchObject({ ok: true, plan: { sha: C, artifacts: [WHEEL], image: IMAGE } });
    expect(plain).toEqual(deployGate(base));
  });

  it("refuses a rollback to a commit whose build is gone, and says what to do instead", () => {
    const target = dep(1, A, "success");
    const current = dep(2, B, "success");
    const input = { ...base, checks: [], rollback: { target, current } };

    const gone = deployGate({
      ...input,
      build: { kind: "no-build", why: "no pipeline ran on it" },
    });
    const kept = deployGate({ ...input, build: { kind: "built", artifacts: [WHEEL] } });

    expect(gone).toEqual({
      ok: false,
      reason: "no-successful-build",
      message:
        "aaaaaaa has no successful build (no pipeline ran on it): Pylot deploys only what CI built, so name another deployment: /rollback staging to <sha>.",
    });
    expect(kept).toMatchObject({ ok: true, plan: { sha: A, artifacts: [WHEEL] } });
  });

  it("plans a rollback: the target's SHA, no checks or requires, the lock still holds", () => {
    const target = dep(1, A, "success", { environment: "production" });
    const current = dep(2, B, "success", { environment: "production" });
    const input = { ...base, env: "production", checks: [], rollback: { target, current } };

    const result = deployGate(input);
    const locked = deployGate({ ...input, lock: { ...lock(3), env: "production" } });

    expect(result).toEqual({
      ok: true,
      plan: {
        env: "production",
        sha: A,
        task: "deploy:rollback",
        productionEnvironment: true,
        run: "./scripts/deploy.sh production",
        pr: 7,
        requires: [],
        bypassedChecks: [],
        rollback: { from: current, to: target },
      },
    });
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
  });
});

describe("isProductionEnvironment", () => {
  it.each([
    ["production", true],
    ["prod", true],
    ["Prod-EU", true],
    ["eu.live", true],
    ["prd", true],
    ["staging", false],
    ["products", false],
    ["preprod", false],
    ["livestream", false],
  ])("%s → %s", (env, expected) => {
    const result = isProductionEnvironment(env);

    expect(result).toBe(expected);
  });
});
