import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/pipeline/types.js";
import { buildJobEnv } from "../../../src/runner/job-env.js";
import { formatDuration, stopSummary } from "../../../src/runner/job-progress.js";
import { needsPip, wantedModules } from "../../../src/runner/job-steps.js";
import { checkTarListing } from "../../../src/runner/source.js";
import { jobPaths, safeSegment } from "../../../src/runner/workspace.js";

describe("safeSegment", () => {
  it.each([
    ["pipe-1:test-3.12-linux", "pipe-1_test-3.12-linux"],
    ["../../etc", ".._.._etc"],
    ["..", "_.."],
    ["", "_"],
    ["a/b\\c d", "a_b_c_d"],
  ])("%j → %j", (value, safe) => {
    const segment = safeSegment(value);

    expect(segment).toBe(safe);
  });

  it("keeps long values distinct and bounded", () => {
    const a = safeSegment(`${"x".repeat(100)}a`);
    const b = safeSegment(`${"x".repeat(100)}b`);

    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(80);
  });
});

describe("jobPaths", () => {
  it("puts the venv beside the source and the reports outside the job folder", () => {
    const paths = jobPaths({
      workdir: "/w",
      jobId: "p:lint",
      attempt: 2,
      pipelineId: "p",
      jobKey: "lint",
    });

    expect(paths).toEqual({
      root: "/w/jobs/21682ebcfa720ff2-2",
      src: "/w/jobs/21682ebcfa720ff2-2/src",
      home: "/w/jobs/21682ebcfa720ff2-2/home",
      tmp: "/w/jobs/21682ebcfa720ff2-2/tmp",
      venv: "/w/jobs/21682ebcfa720ff2-2/venv",
      venvPython: "/w/jobs/21682ebcfa720ff2-2/venv/bin/python",
      reports: "/w/reports/p/lint",
    });
  });

  it("keeps the job folder short, whatever the job id, so socket paths in TMPDIR fit", () => {
    const paths = jobPaths({
      workdir: "/var/lib/pylot/work",
      jobId: `${"0123abcd-".repeat(4)}uuid:test-3.12-linux-${"x".repeat(80)}`,
      attempt: 12,
      pipelineId: "p",
      jobKey: "k",
    });

    expect(paths.tmp).toMatch(/^\/var\/lib\/pylot\/work\/jobs\/[0-9a-f]{16}-12\/tmp$/);
  });
});

describe("checkTarListing", () => {
  it.each([
    {
      listing: "owner-repo-abc/\nowner-repo-abc/setup.py\nowner-repo-abc/pkg/a.py\n",
      result: { ok: true, strip: 1 },
    },
    { listing: "setup.py\npkg/\npkg/a.py\n", result: { ok: true, strip: 0 } },
    { listing: "./\n./setup.py\n./pkg/a.py\n", result: { ok: true, strip: 0 } },
    { listing: "README\n", result: { ok: true, strip: 0 } },
    { listing: "", result: { ok: false, message: "the source tarball is empty" } },
    {
      listing: "top/\ntop/../../etc/cron.d/x\n",
      result: {
        ok: false,
        message: "the source tarball has an unsafe member: top/../../etc/cron.d/x",
      },
    },
    {
      listing: "/etc/passwd\n",
      result: { ok: false, message: "the source tarball has an unsafe member: /etc/passwd" },
    },
  ])("$listing", ({ listing, result }) => {
    const check = checkTarListing(listing);

    expect(check).toEqual(result);
  });
});

describe("buildJobEnv", () => {
  const input = {
    venv: "/j/venv",
    home: "/j/home",
    tmp: "/j/tmp",
    systemPath: "/usr/bin:/bin",
    sha: "abc",
    ref: "refs/heads/main",
    python: "3.12",
    job: "test (3.12, linux)",
  };

  it("builds the environment from nothing but the job's facts and secrets", () => {
    const { env, dropped } = buildJobEnv({ ...input, secrets: { API_TOKEN: "t0ken" } });

    expect(env).toEqual({
      PATH: "/j/venv/bin:/usr/bin:/bin",
      HOME: "/j/home",
      TMPDIR: "/j/tmp",
      LANG: "C.UTF-8",
      CI: "true",
      VIRTUAL_ENV: "/j/venv",
      PYTHONUNBUFFERED: "1",
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      PIP_NO_INPUT: "1",
      PYLOT_SHA: "abc",
      PYLOT_REF: "refs/heads/main",
      PYLOT_PYTHON: "3.12",
      PYLOT_JOB: "test (3.12, linux)",
      API_TOKEN: "t0ken",
    });
    expect(dropped).toEqual([]);
  });

  it("keeps its own variables over secrets of the same name and drops invalid names", () => {
    const { env, dropped } = buildJobEnv({ ...input, secrets: { PATH: "/evil", "BAD-NAME": "x" } });

    expect(env.PATH).toBe("/j/venv/bin:/usr/bin:/bin");
    expect(dropped).toEqual([
      { name: "PATH", reason: "reserved by the runner" },
      { name: "BAD-NAME", reason: "not a valid variable name" },
    ]);
  });
});

describe("formatDuration and stopSummary", () => {
  it.each([
    [850, "850ms"],
    [2_449, "2.4s"],
    [60_000, "1m"],
    [20 * 60_000, "20m"],
    [95_000, "1m 35s"],
    [65 * 60_000, "1h 5m"],
    [120 * 60_000, "2h"],
  ])("%d ms → %s", (ms, text) => {
    const formatted = formatDuration(ms);

    expect(formatted).toBe(text);
  });

  it.each([
    ["timed_out", "test", "timed out after 20m during test"],
    ["cancelled", "venv", "cancelled during venv"],
    ["cancelled", undefined, "cancelled"],
  ] as const)("%s during %s", (reason, step, summary) => {
    const text = stopSummary(reason, 20 * 60_000, step);

    expect(text).toBe(summary);
  });
});

describe("needsPip and wantedModules", () => {
  const lint: Step[] = [
    { kind: "flake8", args: [] },
    { kind: "bandit", paths: ["."], failOn: "high", confidence: "medium", args: [] },
  ];

  it.each([
    { install: [], steps: lint, pip: false },
    { install: ["python -m pip install ."], steps: lint, pip: true },
    { install: [], steps: [{ kind: "wheel" }] as Step[], pip: true },
    {
      install: [],
      steps: [{ kind: "integration", run: "pytest", services: [] }] as Step[],
      pip: true,
    },
    {
      install: [],
      steps: [{ kind: "test", run: "pip install -e . && pytest", coverage: false }] as Step[],
      pip: true,
    },
    {
      install: [],
      steps: [{ kind: "test", run: "python -m pytest", coverage: true }] as Step[],
      pip: false,
    },
  ])("pip: $pip for $install / $steps.0.kind", ({ install, steps, pip }) => {
    const needed = needsPip(install, steps);

    expect(needed).toBe(pip);
  });

  it("asks for each tool, coverage, build, twine and the build backend", () => {
    const steps: Step[] = [
      ...lint,
      { kind: "test", run: "pytest", coverage: true },
      { kind: "wheel" },
    ];

    const modules = wantedModules(steps, {
      files: [],
      pyproject: '[build-system]\nbuild-backend = "hatchling.build"\n',
      setupPy: false,
      setupCfg: false,
    });

    expect(modules).toEqual(["flake8", "bandit", "coverage", "build", "twine", "hatchling.build"]);
  });
});
