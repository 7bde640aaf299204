import { describe, expect, it } from "vitest";
import {
  condemnedBy,
  deploymentPayload,
  newestFirst,
  readDeploymentPayload,
} from "../../../src/deploy/history.js";
import { A, B, C, dep, rollbackDep } from "./history-fixtures.js";

describe("deployment payload", () => {
  it("round-trips what Pylot writes", () => {
    const payload = deploymentPayload({
      actor: "alice",
      pr: 7,
      command: "/rollback staging",
      rollbackFrom: 41,
    });

    const read = readDeploymentPayload(JSON.parse(JSON.stringify(payload)));

    expect(read).toEqual({
      pylot: 1,
      actor: "alice",
      pr: 7,
      command: "/rollback staging",
      rollbackFrom: 41,
    });
  });

  it.each([
    { name: "another tool's payload", value: { deployer: "heroku" } },
    { name: "empty string (GitHub's default)", value: "" },
    { name: "null", value: null },
    { name: "wrong types", value: { pylot: 1, actor: "a", command: "x", pr: "7" } },
    {
      name: "negative rollbackFrom",
      value: { pylot: 1, actor: "a", command: "x", rollbackFrom: -1 },
    },
  ])("ignores $name", ({ value }) => {
    const read = readDeploymentPayload(value);

    expect(read).toBeUndefined();
  });
});

describe("condemnedBy", () => {
  it("condemns deployments of a rolled-back commit made before the rollback", () => {
    const history = [
      dep(5, C, "success"),
      rollbackDep(4, A, "inactive", 3),
      dep(3, C, "inactive"),
      dep(2, C, "inactive"),
      dep(1, A, "inactive"),
    ];

    const condemned = condemnedBy(history);

    expect(history.filter(condemned).map((record) => record.id)).toEqual([3, 2]);
  });

  it("ignores a rollbackFrom it cannot resolve", () => {
    const history = [rollbackDep(2, A, "success", 999), dep(1, B, "inactive")];

    const condemned = condemnedBy(history);

    expect(history.filter(condemned)).toEqual([]);
  });
});

describe("newestFirst", () => {
  it("orders by time, then id", () => {
    const sameTime = { createdAt: "2024-05-01T09:00:00Z" };
    const history = [
      dep(1, A, "success", sameTime),
      dep(3, C, "success"),
      dep(2, B, "success", sameTime),
    ];

    const result = newestFirst(history);

    expect(result.map((record) => record.id)).toEqual([3, 2, 1]);
  });
});
