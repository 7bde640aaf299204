import { describe, expect, it } from "vitest";
import { DeployEnvironmentSchema } from "../../../src/config/schema.js";
import { autoEnvironments, pushedBranch } from "../../../src/deploy/auto-deploy.js";
import { deployRef } from "../../../src/deploy/orchestrate.js";
import type { DeployPlan } from "../../../src/deploy/gate.js";
import type { PipelineRecord } from "../../../src/engine/ports.js";
import type { Trigger } from "../../../src/pipeline/types.js";
import { A, C, dep } from "./history-fixtures.js";

function pipeline(trigger: Partial<Trigger>): Pick<PipelineRecord, "trigger"> {
  return {
    trigger: { source: "github", event: "push", sha: C, ref: "refs/heads/main", ...trigger },
  };
}

describe("pushedBranch", () => {
  it.each<[string, Partial<Trigger>, string | undefined]>([
    ["a push to a branch", {}, "main"],
    ["a check suite of a branch", { event: "check_suite", ref: "refs/heads/dev" }, "dev"],
    ["a branch with slashes", { ref: "refs/heads/release/1.x" }, "release/1.x"],
    [
      "a pull request",
      { event: "pull_request", ref: "refs/pull/3/head", pullRequest: 3 },
      undefined,
    ],
    ["a pull request's branch build", { pullRequest: 3 }, undefined],
    ["a deploy pipeline of the branch", { event: "deploy" }, undefined],
    ["a tag", { ref: "refs/tags/v1" }, undefined],
    ["a bare commit", { ref: C }, undefined],
    ["the CLI", { source: "cli" }, undefined],
  ])("%s", (_name, trigger, expected) => {
    expect(pushedBranch(pipeline(trigger))).toBe(expected);
  });
});

describe("autoEnvironments", () => {
  const env = (auto?: string) =>
    DeployEnvironmentSchema.parse({
      run: "x",
      ...(auto === undefined ? {} : { auto: { branch: auto } }),
    });

  it("lists the environments following the branch, in the config's order", () => {
    const deploy = {
      qa: env("main"),
      staging: env("main"),
      dev: env("develop"),
      production: env(),
    };

    expect(autoEnvironments(deploy, "main")).toEqual(["qa", "staging"]);
    expect(autoEnvironments(deploy, "develop")).toEqual(["dev"]);
    expect(autoEnvironments(deploy, "Main")).toEqual([]);
  });
});

describe("deployRef", () => {
  const plan: DeployPlan = {
    env: "staging",
    sha: C,
    task: "deploy",
    productionEnvironment: false,
    run: "./deploy.sh",
    pr: 7,
    requires: [],
    bypassedChecks: [],
  };
  const rollback: DeployPlan = {
    ...plan,
    sha: A,
    task: "deploy:rollback",
    rollback: { from: dep(2, C, "success"), to: dep(1, A, "inactive") },
  };

  it.each<[string, DeployPlan, Parameters<typeof deployRef>[1], string]>([
    [
      "a command's deploy: the PR head",
      plan,
      { kind: "comment", pr: 7, commentId: 1 },
      "refs/pull/7/head",
    ],
    ["an automatic deploy: the branch", plan, { kind: "push", branch: "main" }, "refs/heads/main"],
    ["a rollback: its commit", rollback, { kind: "comment", pr: 7, commentId: 1 }, A],
    [
      "an automatic rollback: its commit",
      rollback,
      { kind: "health-check", failedDeploymentId: 2 },
      A,
    ],
  ])("%s", (_name, input, origin, expected) => {
    expect(deployRef(input, origin)).toBe(expected);
  });
});
