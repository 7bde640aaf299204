import { describe, expect, it } from "vitest";
import { rollbackTarget } from "../../../src/deploy/rollback.js";
import type { DeploymentRecord, RollbackRequest } from "../../../src/deploy/types.js";
import { A, B, C, D, E, dep, rollbackDep } from "./history-fixtures.js";

const ids = (result: ReturnType<typeof rollbackTarget>) =>
  result.ok ? { current: result.current.id, target: result.target.id } : { reason: result.reason };

describe("rollbackTarget: the last good deployment before the current one", () => {
  it.each<{ name: string; history: DeploymentRecord[]; expected: ReturnType<typeof ids> }>([
    {
      name: "previous deployment (auto-inactivated)",
      history: [dep(3, C, "success"), dep(2, B, "inactive"), dep(1, A, "inactive")],
      expected: { current: 3, target: 2 },
    },
    {
      name: "failed and errored deploys in between are skipped",
      history: [
        dep(6, E, "failure"),
        dep(5, D, "error"),
        dep(4, C, "success"),
        dep(3, B, "failure"),
        dep(2, B, "error"),
        dep(1, A, "inactive"),
      ],
      expected: { current: 4, target: 1 },
    },
    {
      name: "same-SHA redeploys are skipped",
      history: [
        dep(4, C, "success"),
        dep(3, C, "inactive"),
        dep(2, C, "inactive"),
        dep(1, B, "inactive"),
      ],
      expected: { current: 4, target: 1 },
    },
    {
      name: "a deployment still running is not the current one",
      history: [dep(4, D, "in_progress"), dep(3, C, "success"), dep(2, B, "inactive")],
      expected: { current: 3, target: 2 },
    },
    {
      name: "queued and pending ones are not targets",
      history: [
        dep(4, D, "success"),
        dep(3, C, "queued"),
        dep(2, B, "pending"),
        dep(1, A, "inactive"),
      ],
      expected: { current: 4, target: 1 },
    },
    {
      name: "production keeps old ones success (no auto-inactive)",
      history: [dep(3, C, "success"), dep(2, B, "success"), dep(1, A, "success")],
      expected: { current: 3, target: 2 },
    },
    {
      name: "a second rollback walks further back instead of returning to the bad commit",
      history: [
        rollbackDep(4, B, "success", 3),
        dep(3, C, "inactive"),
        dep(2, B, "inactive"),
        dep(1, A, "inactive"),
      ],
      expected: { current: 4, target: 1 },
    },
    {
      name: "every earlier deployment of a rolled-back commit is skipped",
      history: [
        rollbackDep(5, A, "success", 4),
        dep(4, C, "inactive"),
        dep(3, C, "inactive"),
        dep(2, B, "inactive"),
        dep(1, A, "inactive"),
      ],
      expected: { current: 5, target: 2 },
    },
    {
      name: "a rolled-back commit deployed again later counts again",
      history: [
        dep(5, D, "success"),
        dep(4, C, "inactive"),
        rollbackDep(3, A, "inactive", 2),
        dep(2, C, "inactive"),
        dep(1, A, "inactive"),
      ],
      expected: { current: 5, target: 4 },
    },
    {
      name: "other environments are ignored",
      history: [
        dep(5, D, "success", { environment: "production" }),
        dep(4, C, "success"),
        dep(3, B, "success", { environment: "production" }),
        dep(2, A, "inactive", { environment: "production" }),
        dep(1, E, "inactive"),
      ],
      expected: { current: 4, target: 1 },
    },
    {
      name: "input order does not matter",
      history: [dep(1, A, "inactive"), dep(3, C, "success"), dep(2, B, "inactive")],
      expected: { current: 3, target: 2 },
    },
    {
      name: "nothing deployed",
      history: [dep(2, B, "failure"), dep(1, A, "error")],
      expected: { reason: "no-current-deployment" },
    },
    { name: "empty history", history: [], expected: { reason: "no-current-deployment" } },
    {
      name: "everything inactive: no current deployment",
      history: [dep(2, B, "inactive"), dep(1, A, "inactive")],
      expected: { reason: "no-current-deployment" },
    },
    {
      name: "only one good deployment",
      history: [dep(2, B, "success"), dep(1, A, "failure")],
      expected: { reason: "no-earlier-deployment" },
    },
    {
      name: "only the same commit before",
      history: [dep(2, B, "success"), dep(1, B, "inactive")],
      expected: { reason: "no-earlier-deployment" },
    },
  ])("$name", ({ history, expected }) => {
    const result = rollbackTarget({ env: "staging", history });

    expect(ids(result)).toEqual(expected);
  });

  it("says clearly when there is nothing to go back to", () => {
    const result = rollbackTarget({ env: "staging", history: [dep(7, B, "success")] });

    expect(result).toEqual({
      ok: false,
      reason: "no-earlier-deployment",
      message:
        "No earlier successful deployment of another commit to staging before deployment 7 (bbbbbbb); nothing to roll back to.",
    });
  });
});

describe("rollbackTarget: a named target", () => {
  const prefixTwin = "abc1234" + "f".repeat(33);
  const prefixOther = "abc1234" + "0".repeat(33);
  const history = [
    dep(9, D, "success"),
    dep(8, C, "failure"),
    rollbackDep(7, B, "inactive", 6),
    dep(6, A, "inactive"),
    dep(5, B, "inactive"),
    dep(4, E, "inactive", { environment: "production" }),
    dep(3, prefixTwin, "inactive"),
    dep(2, prefixOther, "failure"),
  ];

  it.each<{ name: string; requested: RollbackRequest; expected: ReturnType<typeof ids> }>([
    {
      name: "by id",
      requested: { kind: "deployment", id: 5 },
      expected: { current: 9, target: 5 },
    },
    {
      name: "by id of a rolled-back deployment (explicit wins)",
      requested: { kind: "deployment", id: 6 },
      expected: { current: 9, target: 6 },
    },
    {
      name: "by id that failed",
      requested: { kind: "deployment", id: 8 },
      expected: { reason: "target-not-successful" },
    },
    {
      name: "by id of another env",
      requested: { kind: "deployment", id: 4 },
      expected: { reason: "target-not-found" },
    },
    {
      name: "by unknown id",
      requested: { kind: "deployment", id: 404 },
      expected: { reason: "target-not-found" },
    },
    {
      name: "by id of the current one",
      requested: { kind: "deployment", id: 9 },
      expected: { reason: "target-is-current" },
    },
    {
      name: "by short sha: newest good one",
      requested: { kind: "sha", sha: "bbbbbbb" },
      expected: { current: 9, target: 7 },
    },
    {
      name: "by full sha",
      requested: { kind: "sha", sha: A },
      expected: { current: 9, target: 6 },
    },
    {
      name: "by ambiguous prefix",
      requested: { kind: "sha", sha: "abc1234" },
      expected: { reason: "target-ambiguous" },
    },
    {
      name: "by longer prefix",
      requested: { kind: "sha", sha: "abc1234f" },
      expected: { current: 9, target: 3 },
    },
    {
      name: "by sha that only failed",
      requested: { kind: "sha", sha: "ccccccc" },
      expected: { reason: "target-not-successful" },
    },
    {
      name: "by sha of the current one",
      requested: { kind: "sha", sha: "ddddddd" },
      expected: { reason: "target-is-current" },
    },
    {
      name: "by sha never deployed here",
      requested: { kind: "sha", sha: "eeeeeee" },
      expected: { reason: "target-not-found" },
    },
  ])("$name", ({ requested, expected }) => {
    const result = rollbackTarget({ env: "staging", history, requested });

    expect(ids(result)).toEqual(expected);
  });

  it("needs something deployed even when a target is named", () => {
    const result = rollbackTarget({
      env: "staging",
      history: [dep(1, A, "inactive")],
      requested: { kind: "deployment", id: 1 },
    });

    expect(result).toMatchObject({ ok: false, reason: "no-current-deployment" });
  });
});
