import { readFile, writeFile, cp } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobResultSchema } from "../../../src/pipeline/types.js";
import {
  fixture,
  interpreter,
  leftoverJobs,
  removeDir,
  reportsDir,
  request,
  runJob,
  tempDir,
} from "./harness.js";

const UNITTEST = "python -m unittest discover -s tests";

describe("test legs on real interpreters", () => {
  let workdir: string;

  beforeEach(async () => {
    workdir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(workdir);
  });

  it("runs stdlib unittest on a bare pyenv 3.12", async () => {
    const python = await interpreter("3.12");
    const job = request({
      python: "3.12",
      steps: [{ kind: "test", run: UNITTEST, coverage: false }],
    });

    const { result, starts } = await runJob(workdir, job);

    expect(JobResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      jobId: "pipe-1:job-3.12",
      attempt: 1,
      conclusion: "success",
      summary: `tests passed on Python ${python.full}`,
      interpreter: `${python.full} at ${python.path}`,
      steps: [
        { name: "venv", conclusion: "success", exitCode: 0 },
        { name: "test", conclusion: "success", exitCode: 0 },
      ],
    });
    expect(Object.keys(result.timings).sort()).toEqual([
      "install",
      "reports",
      "steps",
      "total",
      "venv",
      "workspace",
    ]);
    expect(result.timings.install).toBe(0);
    expect(result.logTail).toContain("Ran 2 tests");
    expect(result.reports["job.log"]).toBe(join(reportsDir(workdir, "job-3.12"), "job.log"));
    expect(starts).toBe(1);
    expect(await leftoverJobs(workdir)).toEqual([]);
  });

  it("runs pytest under coverage on Debian's 3.11 with system site-packages", async () => {
    const python = await interpreter("3.11");
    const job = request({
      python: "3.11",
      systemSitePackages: true,
      steps: [{ kind: "test", run: "pytest -q", coverage: true }],
    });

    const { result } = await runJob(workdir, job);

    const reports = reportsDir(workdir, "job-3.11");
    expect(result).toMatchObject({
      conclusion: "success",
      summary: `tests passed on Python ${python.full}, coverage 60%`,
      coverage: 60,
      reports: {
        "junit.xml": join(reports, "junit.xml"),
        "coverage.xml": join(reports, "coverage.xml"),
        "coverage.json": join(reports, "coverage.json"),
      },
    });
    expect(await readFile(join(reports, "junit.xml"), "utf8")).toMatch(/tests="2"/);
    expect(await readFile(join(reports, "coverage.xml"), "utf8")).toContain('line-rate="0.6"');
    expect(result.logTail).toContain("$ python -m coverage run -m pytest -q");
    expect(result.timings.reports).toBeGreaterThan(0);
  });

  it("fails a leg whose tests fail, naming the exit code and interpreter", async () => {
    const python = await interpreter("3.12");
    const job = request({
      python: "3.12",
      project: "failing-test",
      steps: [{ kind: "test", run: UNITTEST, coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: `tests failed (exit 1) on Python ${python.full}`,
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "test", conclusion: "failure", exitCode: 1 },
      ],
    });
    expect(result.logTail).toContain("FAILED (failures=1)");
    expect(await leftoverJobs(workdir)).toEqual([]);
  });

  it("says clearly when coverage is asked for but not installed", async () => {
    const job = request({
      python: "3.12",
      steps: [{ kind: "test", run: UNITTEST, coverage: true }],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "failure",
      summary:
        "coverage is not installed in the job's environment: add it to install, or enable venv.system-site-packages",
      steps: [{ name: "venv" }, { name: "test", conclusion: "failure", exitCode: null }],
    });
  });

  it("refuses a coverage run of a command shape it cannot rewrite", async () => {
    const job = request({
      python: "3.11",
      systemSitePackages: true,
      steps: [{ kind: "test", run: "make test", coverage: true }],
    });

    const { result } = await runJob(workdir, job);

    expect(result.conclusion).toBe("failure");
    expect(result.summary).toMatch(
      /^coverage needs a test command starting with "python -m <module>"/,
    );
  });

  it("fails a job asking for an interpreter the runner lacks, before any work", async () => {
    const job = request({
      python: "3.5",
      steps: [{ kind: "test", run: UNITTEST, coverage: false }],
    });

    const { result, starts } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "failure",
      steps: [{ name: "test", conclusion: "skipped", exitCode: null }],
    });
    expect(result.summary).toMatch(
      /^Python 3\.5 is not available on this runner \(available: (\d+\.\d+, )*3\.11, 3\.12/,
    );
    expect(result.interpreter).toBeUndefined();
    expect(starts).toBe(0);
  });

  it("stops at a failing install command and reports the later steps as skipped", async () => {
    const job = request({
      python: "3.12",
      install: ["echo installing", "exit 3"],
      steps: [
        { kind: "flake8", args: [] },
        { kind: "test", run: UNITTEST, coverage: false },
      ],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: "install failed (exit 3): exit 3",
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "install: echo installing", conclusion: "success", exitCode: 0 },
        { name: "install: exit 3", conclusion: "failure", exitCode: 3 },
        { name: "flake8", conclusion: "skipped" },
        { name: "test", conclusion: "skipped" },
      ],
    });
    expect(result.timings.install).toBeGreaterThan(0);
  });

  it("detects the install command from requirements.txt when the config names none", async () => {
    const project = join(workdir, "project");
    await cp(fixture("failing-test"), project, { recursive: true });
    await writeFile(join(project, "requirements.txt"), "# nothing pinned yet\n");
    const job = request({
      python: "3.12",
      install: "detect",
      source: { kind: "dir", path: project },
      steps: [{ kind: "test", run: "python -m pip --version", coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "success",
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "install: python -m pip install -r requirements.txt", conclusion: "success" },
        { name: "test", conclusion: "success" },
      ],
    });
  });
});
