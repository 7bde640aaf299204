import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/pipeline/types.js";
import { removeDir, reportsDir, request, runJob, tempDir } from "./harness.js";

const bandit = (failOn: "none" | "low" | "medium" | "high"): Step => ({
  kind: "bandit",
  paths: ["vault"],
  failOn,
  confidence: "medium",
  args: [],
});

const INSECURE_FINDINGS = "bandit found 4 issues (1 high, 1 medium, 2 low)";

/** The real tools of Debian's python3 (flake8 5, black 23, pylint 2.16, mypy 1.0, bandit 1.6). */
describe("tool steps", () => {
  let workdir: string;

  beforeEach(async () => {
    workdir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(workdir);
  });

  it("passes a clean project through every tool from the venv", async () => {
    const job = request({
      python: "3.11",
      systemSitePackages: true,
      steps: [
        { kind: "flake8", args: [] },
        { kind: "black", args: [] },
        { kind: "pylint", args: [] },
        { kind: "mypy", paths: ["okcalc"], args: [] },
        { kind: "bandit", paths: ["."], failOn: "low", confidence: "low", args: [] },
      ],
    });

    const { result } = await runJob(workdir, job);

    const reports = reportsDir(workdir, "job-3.11");
    expect(result).toMatchObject({
      conclusion: "success",
      summary:
        "flake8 found no problems; black found nothing to reformat; pylint found no problems; mypy found no errors; bandit found no issues",
      reports: {
        "flake8.txt": join(reports, "flake8.txt"),
        "black.diff": join(reports, "black.diff"),
        "pylint.txt": join(reports, "pylint.txt"),
        "mypy.txt": join(reports, "mypy.txt"),
        "bandit.json": join(reports, "bandit.json"),
      },
    });
    expect(result.logTail).toContain("venv/bin/python -m flake8 --format=default");
    expect(result.logTail).toContain("--recursive=y .");
  });

  it("fails on flake8 problems and writes them to flake8.txt", async () => {
    const job = request({
      python: "3.11",
      systemSitePackages: true,
      project: "lint-fail",
      steps: [
        { kind: "flake8", args: [] },
        { kind: "black", args: [] },
      ],
    });

    const { result } = await runJob(workdir, job);

    const report = await readFile(join(reportsDir(workdir, "job-3.11"), "flake8.txt"), "utf8");
    expect(result).toMatchObject({
      conclusion: "failure",
      summary: "flake8 found 3 problems",
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "flake8", conclusion: "failure", exitCode: 1 },
        { name: "black", conclusion: "skipped" },
      ],
    });
    expect(report.trim().split("\n")).toEqual([
      "./messy/__init__.py:2:1: F401 'os' imported but unused",
      "./messy/__init__.py:6:30: F821 undefined name 'undefined_name'",
      "./messy/__init__.py:13:2: E225 missing whitespace around operator",
    ]);
    expect(result.logTail).toContain("F821 undefined name 'undefined_name'");
  });

  it("writes black's diff and mypy's errors", async () => {
    const black = request({
      python: "3.11",
      systemSitePackages: true,
      project: "lint-fail",
      steps: [{ kind: "black", args: [] }],
    });
    const mypy = request({
      python: "3.11",
      systemSitePackages: true,
      project: "lint-fail",
      key: "typecheck",
      steps: [{ kind: "mypy", paths: ["messy"], args: [] }],
    });

    const [blackRun, mypyRun] = await Promise.all([runJob(workdir, black), runJob(workdir, mypy)]);

    expect(blackRun.result).toMatchObject({
      conclusion: "failure",
      summary: "black would reformat 1 file",
    });
    expect(await readFile(blackRun.result.reports["black.diff"] ?? "", "utf8")).toContain("+x = 1");
    expect(mypyRun.result).toMatchObject({ conclusion: "failure", summary: "mypy found 2 errors" });
  });

  it("uses the tool on the job's PATH when the venv cannot import it", async () => {
    const job = request({ python: "3.12", steps: [{ kind: "flake8", args: [] }] });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({ conclusion: "success", summary: "flake8 found no problems" });
    expect(result.logTail).toContain("$ /usr/bin/flake8 --format=default");
  });

  it("says a tool is missing, without a stack trace, when neither has it", async () => {
    const emptyBin = join(workdir, "empty-bin");
    await mkdir(emptyBin);
    const job = request({ python: "3.12", steps: [{ kind: "flake8", args: [] }] });

    const { result } = await runJob(workdir, job, { executor: { systemPath: emptyBin } });

    expect(result).toMatchObject({
      conclusion: "failure",
      summary:
        "flake8 is not installed on this runner: add it to install, or enable venv.system-site-packages",
      steps: [{ name: "venv" }, { name: "flake8", conclusion: "failure", exitCode: null }],
    });
  });

  it.each([
    { failOn: "high", conclusion: "failure", summary: `${INSECURE_FINDINGS}; 1 at or above high` },
    {
      failOn: "medium",
      conclusion: "failure",
      summary: `${INSECURE_FINDINGS}; 2 at or above medium`,
    },
    { failOn: "none", conclusion: "success", summary: `${INSECURE_FINDINGS}; fail-on is none` },
  ] as const)("gates bandit at fail-on $failOn", async ({ failOn, conclusion, summary }) => {
    const job = request({
      python: "3.11",
      systemSitePackages: true,
      project: "insecure",
      steps: [bandit(failOn)],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion,
      summary,
      steps: [{ name: "venv" }, { name: "bandit", exitCode: 1 }],
    });
    expect(JSON.parse(await readFile(result.reports["bandit.json"] ?? "", "utf8"))).toHaveProperty(
      "results",
    );
  });

  it("builds the sdist and wheel without isolation when the backend is at hand", async () => {
    const job = request({ python: "3.11", systemSitePackages: true, steps: [{ kind: "wheel" }] });

    const { result } = await runJob(workdir, job);

    const dist = join(reportsDir(workdir, "job-3.11"), "dist");
    expect(result).toMatchObject({
      conclusion: "success",
      summary: expect.stringMatching(
        /^built okcalc-0\.1\.0-py3-none-any\.whl \([\d.]+ KiB\), okcalc-0\.1\.0\.tar\.gz \([\d.]+ KiB\); wheel metadata check passed$/,
      ) as string,
      artifacts: [
        {
          name: "okcalc-0.1.0-py3-none-any.whl",
          kind: "wheel",
          size: expect.any(Number) as number,
        },
        { name: "okcalc-0.1.0.tar.gz", kind: "sdist", size: expect.any(Number) as number },
      ],
      reports: {
        "dist/okcalc-0.1.0-py3-none-any.whl": join(dist, "okcalc-0.1.0-py3-none-any.whl"),
        "dist/okcalc-0.1.0.tar.gz": join(dist, "okcalc-0.1.0.tar.gz"),
      },
    });
    expect(result.logTail).toContain("-m build --outdir");
    expect(result.logTail).toContain("--no-isolation");
    for (const artifact of result.artifacts ?? []) {
      const bytes = await readFile(join(dist, artifact.name));
      expect(artifact).toMatchObject({
        size: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      });
    }
  });
});
