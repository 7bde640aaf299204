import { describe, expect, it } from "vitest";
import type { DeploymentRecord } from "../../../src/deploy/types.js";
import type { JobRecord, PipelineRecord, PipelineView } from "../../../src/engine/ports.js";
import {
  coverageColor,
  coverageFace,
  coverageOf,
  deployFace,
  formatPercent,
  stateOf,
  statusFace,
  statusState,
} from "../../../src/http/index.js";
import type { Conclusion } from "../../../src/pipeline/types.js";
import { jobRecord, jobResult, jobSpec, pipelineRecord } from "../../helpers/store-contract.js";

function pipeline(id: string, conclusion: Conclusion | null): PipelineRecord {
  const base = pipelineRecord(id);
  return conclusion === null ? base : { ...base, status: "completed", conclusion };
}

function job(
  key: string,
  conclusion: Conclusion | null,
  extra: Partial<Pick<JobRecord, "result" | "spec">> = {},
): JobRecord {
  return { ...jobRecord("p", jobSpec(key, { name: key })), conclusion, ...extra };
}

function view(conclusion: Conclusion, jobs: JobRecord[] = []): PipelineView {
  return { pipeline: pipeline("done", conclusion), jobs };
}

describe("stateOf", () => {
  it.each([
    ["success", "passing"],
    ["failure", "failing"],
    ["timed_out", "failing"],
    ["cancelled", "cancelled"],
    ["skipped", "skipped"],
    ["neutral", "unknown"],
    [null, "unknown"],
  ] as const)("%s → %s", (conclusion, state) => {
    expect(stateOf(conclusion)).toBe(state);
  });
});

describe("statusState", () => {
  const running = pipeline("new", null);

  it.each([
    { what: "nothing at all", latest: undefined, finished: undefined, state: "unknown" },
    { what: "only a running pipeline", latest: running, finished: undefined, state: "running" },
    { what: "a finished success", latest: undefined, finished: view("success"), state: "passing" },
    {
      what: "a failure while a newer one runs",
      latest: running,
      finished: view("failure"),
      state: "failing",
    },
    {
      what: "a cancellation while a newer one runs",
      latest: running,
      finished: view("cancelled"),
      state: "running",
    },
    {
      what: "a cancellation and nothing newer",
      latest: pipeline("done", "cancelled"),
      finished: view("cancelled"),
      state: "cancelled",
    },
  ])("$what → $state", ({ latest, finished, state }) => {
    expect(statusState({ latest, finished })).toBe(state);
  });

  it.each([
    { check: "lint", state: "failing" },
    { check: "Pylot / lint", state: "failing" },
    { check: "test (3.12, linux)", state: "passing" },
    { check: "build", state: "skipped" },
    { check: "typecheck", state: "unknown" },
  ])("with check $check → $state", ({ check, state }) => {
    const finished = view("failure", [
      job("lint", "failure"),
      job("test (3.12, linux)", "success"),
      job("build", "skipped"),
    ]);

    expect(statusState({ latest: undefined, finished, check })).toBe(state);
  });

  it("labels the badge with the check, or pylot", () => {
    const finished = view("success", [job("lint", "success")]);

    const faces = [
      statusFace({ latest: undefined, finished }),
      statusFace({ latest: undefined, finished, check: "lint" }),
    ];

    expect(faces).toEqual([
      { label: "pylot", message: "passing", color: "brightgreen" },
      { label: "lint", message: "passing", color: "brightgreen" },
    ]);
  });
});

describe("coverage", () => {
  const leg = job("test-3.12-linux", "success", {
    result: jobResult("p:test-3.12-linux", { coverage: 87.46 }),
  });
  const gate = job("coverage", "success", {
    spec: jobSpec("coverage", {
      needs: ["test-3.12-linux"],
      evaluate: { kind: "coverage-gate", minimum: 90 },
    }),
    result: jobResult("p:coverage", { coverage: 87.46 }),
  });

  it("reads the coverage leg's total and the gate's minimum", () => {
    const found = coverageOf([job("lint", "success", { result: null }), leg, gate]);

    expect(found).toEqual({ total: 87.46, minimum: 90 });
  });

  it("reads a measuring job's total when there is no gate", () => {
    const found = coverageOf([leg]);

    expect(found).toEqual({ total: 87.46, minimum: undefined });
  });

  it("finds nothing in a pipeline that measured nothing", () => {
    const lint = job("lint", "success", { result: jobResult("p:lint", { coverage: undefined }) });

    expect(coverageOf([lint])).toBeUndefined();
  });

  it.each([
    { total: 80, minimum: 80, color: "brightgreen" },
    { total: 79.9, minimum: 80, color: "red" },
    { total: 95, minimum: undefined, color: "brightgreen" },
    { total: 85, minimum: undefined, color: "green" },
    { total: 75, minimum: undefined, color: "yellowgreen" },
    { total: 65, minimum: undefined, color: "yellow" },
    { total: 55, minimum: undefined, color: "orange" },
    { total: 12, minimum: undefined, color: "red" },
  ])("$total% with minimum $minimum is $color", ({ total, minimum, color }) => {
    expect(coverageColor(total, minimum)).toBe(color);
  });

  it.each([
    [100, "100%"],
    [87.46, "87.4%"],
    [79.96, "79.9%"],
    [0, "0%"],
  ])("formats %d as %s", (total, text) => {
    expect(formatPercent(total)).toBe(text);
  });

  it("draws the face: the figure in red under the minimum, unknown without a pipeline", () => {
    const faces = [coverageFace(view("failure", [leg, gate])), coverageFace(undefined)];

    expect(faces).toEqual([
      { label: "coverage", message: "87.4%", color: "red" },
      { label: "coverage", message: "unknown", color: "lightgrey" },
    ]);
  });
});

describe("deployFace", () => {
  const record = (id: number, environment: string, state: DeploymentRecord["state"]) => ({
    id,
    sha: `${String(id).repeat(7)}${"0".repeat(33)}`,
    environment,
    createdAt: "2024-08-01T00:00:00.000Z",
    state,
    creator: "pylot[bot]",
    task: "deploy",
  });

  it.each([
    {
      history: [record(3, "staging", "failure"), record(2, "staging", "success")],
      shows: "2222222",
    },
    {
      history: [record(2, "staging", "in_progress"), record(1, "staging", "success")],
      shows: "1111111",
    },
    {
      history: [record(2, "production", "success"), record(1, "staging", "inactive")],
      shows: "unknown",
    },
    { history: [], shows: "unknown" },
  ])("shows $shows", ({ history, shows }) => {
    expect(deployFace("staging", history).message).toBe(shows);
  });
});
