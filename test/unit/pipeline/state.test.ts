import { describe, expect, it } from "vitest";
import { PylotConfigSchema, type PylotConfigInput } from "../../../src/config/schema.js";
import { plan } from "../../../src/pipeline/plan.js";
import {
  aggregateConclusion,
  decide,
  evaluateCoverageGate,
  withDependents,
  type JobSnapshot,
} from "../../../src/pipeline/state.js";
import type { Conclusion } from "../../../src/pipeline/types.js";

type Live = Record<string, "pending" | "queued" | "in_progress" | Conclusion>;

/** A plan and its jobs' states: "pending", "queued", "in_progress" or a conclusion. */
function snapshot(input: PylotConfigInput, live: Live) {
  const pipeline = plan(PylotConfigSchema.parse(input), { defaultPython: "3.11" });
  const jobs = pipeline.jobs.map((spec): JobSnapshot => {
    const value = live[spec.key] ?? "pending";
    const open = value === "pending" || value === "queued" || value === "in_progress";
    return open
      ? { spec, state: value, conclusion: null }
      : { spec, state: "completed", conclusion: value };
  });
  return { pipeline, jobs };
}

const matrix = {
  python: ["3.10", "3.11", "3.12", "3.13"],
  lint: { flake8: false, black: false },
  typecheck: { mypy: false },
  security: { bandit: false },
  test: { coverage: false },
} satisfies PylotConfigInput;

describe("decide", () => {
  it("dispatches every job without needs at the start", () => {
    const { pipeline, jobs } = snapshot({}, {});

    const decision = decide(pipeline, jobs);

    expect(decision).toEqual({
      dispatch: ["lint", "typecheck", "security", "test-3.11-linux"],
      stop: [],
      done: undefined,
    });
  });

  it("dispatches the coverage gate once its leg succeeded", () => {
    const { pipeline, jobs } = snapshot(
      {},
      { lint: "queued", typecheck: "queued", security: "queued", "test-3.11-linux": "success" },
    );

    expect(decide(pipeline, jobs).dispatch).toEqual(["coverage"]);
  });

  it("skips the coverage gate when its leg failed", () => {
    const { pipeline, jobs } = snapshot(
      {},
      { lint: "success", typecheck: "success", security: "success", "test-3.11-linux": "failure" },
    );

    expect(decide(pipeline, jobs).stop).toEqual([
      { key: "coverage", conclusion: "skipped", reason: "needs-failed" },
    ]);
  });

  it("fail-fast cancels legs not yet started, and leaves running ones", () => {
    const { pipeline, jobs } = snapshot(
      { ...matrix, matrix: { "max-parallel": 2 } },
      {
        "test-3.10-linux": "failure",
        "test-3.11-linux": "in_progress",
        "test-3.12-linux": "queued",
      },
    );

    const decision = decide(pipeline, jobs);

    expect(decision.dispatch).toEqual([]);
    expect(decision.stop).toEqual([
      { key: "test-3.12-linux", conclusion: "cancelled", reason: "fail-fast" },
      { key: "test-3.13-linux", conclusion: "cancelled", reason: "fail-fast" },
    ]);
  });

  it("without fail-fast the other legs go on", () => {
    const { pipeline, jobs } = snapshot(
      { ...matrix, matrix: { "fail-fast": false } },
      { "test-3.10-linux": "timed_out" },
    );

    expect(decide(pipeline, jobs)).toMatchObject({
      dispatch: ["test-3.11-linux", "test-3.12-linux", "test-3.13-linux"],
      stop: [],
    });
  });

  it.each([
    { running: {}, expected: ["test-3.10-linux", "test-3.11-linux"] },
    { running: { "test-3.10-linux": "in_progress" }, expected: ["test-3.11-linux"] },
    {
      running: { "test-3.10-linux": "success", "test-3.11-linux": "queued" },
      expected: ["test-3.12-linux"],
    },
    { running: { "test-3.10-linux": "in_progress", "test-3.11-linux": "queued" }, expected: [] },
  ] satisfies { running: Live; expected: string[] }[])(
    "max-parallel 2 with $running dispatches $expected",
    ({ running, expected }) => {
      const { pipeline, jobs } = snapshot({ ...matrix, matrix: { "max-parallel": 2 } }, running);

      expect(decide(pipeline, jobs).dispatch).toEqual(expected);
    },
  );

  it("max-parallel does not hold back jobs outside the matrix", () => {
    const { pipeline, jobs } = snapshot(
      { python: ["3.11", "3.12"], matrix: { "max-parallel": 1 }, test: { coverage: false } },
      {},
    );

    expect(decide(pipeline, jobs).dispatch).toEqual([
      "lint",
      "typecheck",
      "security",
      "test-3.11-linux",
    ]);
  });

  it("concludes when every job is completed", () => {
    const { pipeline, jobs } = snapshot(matrix, {
      "test-3.10-linux": "success",
      "test-3.11-linux": "success",
      "test-3.12-linux": "skipped",
      "test-3.13-linux": "neutral",
    });

    expect(decide(pipeline, jobs).done).toBe("success");
  });
});

describe("aggregateConclusion", () => {
  it.each([
    { conclusions: ["success", "success"], expected: "success" },
    { conclusions: ["success", "skipped", "neutral"], expected: "success" },
    { conclusions: ["success", "cancelled"], expected: "cancelled" },
    { conclusions: ["cancelled", "failure"], expected: "failure" },
    { conclusions: ["timed_out", "success"], expected: "failure" },
  ] satisfies { conclusions: Conclusion[]; expected: Conclusion }[])(
    "$conclusions → $expected",
    ({ conclusions, expected }) => {
      expect(aggregateConclusion(conclusions)).toBe(expected);
    },
  );
});

describe("withDependents", () => {
  it("adds the jobs that need the chosen ones", () => {
    const { pipeline } = snapshot({}, {});

    expect(withDependents(pipeline.jobs, ["test-3.11-linux"])).toEqual([
      "test-3.11-linux",
      "coverage",
    ]);
    expect(withDependents(pipeline.jobs, ["lint"])).toEqual(["lint"]);
  });
});

describe("evaluateCoverageGate", () => {
  it.each([
    {
      minimum: 80,
      coverage: 85.04,
      conclusion: "success",
      summary: "coverage 85.0% (minimum 80%)",
    },
    { minimum: 80, coverage: 80, conclusion: "success", summary: "coverage 80.0% (minimum 80%)" },
    {
      minimum: 80,
      coverage: 79.94,
      conclusion: "failure",
      summary: "coverage 79.9% is below the minimum 80%",
    },
    { minimum: undefined, coverage: 12.5, conclusion: "success", summary: "coverage 12.5%" },
    {
      minimum: 80,
      coverage: undefined,
      conclusion: "failure",
      summary: "test (3.12, linux) produced no coverage data",
    },
  ])(
    "minimum $minimum, coverage $coverage → $conclusion",
    ({ minimum, coverage, conclusion, summary }) => {
      const result = evaluateCoverageGate(minimum, { coverage, legName: "test (3.12, linux)" });

      expect(result).toEqual({ conclusion, summary });
    },
  );
});
