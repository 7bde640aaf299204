import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
let workdir = "";

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), "pylot-cli-"));
});
afterAll(async () => {
  await rm(workdir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry in a child process, as `npx pylot` would. */
function pylot(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(root, "src/cli/cli.ts"), ...args],
      {
        cwd: root,
        env: { ...process.env, PYLOT_WORKDIR: workdir, ...env },
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface JsonResult {
  conclusion: string;
  jobs: { name: string; conclusion: string; coverage?: number; summary: string | null }[];
}

describe("pylot run", () => {
  it("passes on examples/demo with exit code 0", async () => {
    const run = await pylot(["run", "examples/demo", "--json"]);

    expect(run.stderr).not.toMatch(/error/i);
    const result = JSON.parse(run.stdout) as JsonResult;
    expect(result.conclusion).toBe("success");
    expect(result.jobs.map((job) => [job.name, job.conclusion])).toEqual([
      ["lint", "success"],
      ["typecheck", "success"],
      ["security", "success"],
      [expect.stringMatching(/^test \(3\.\d+, linux\)$/), "success"],
      ["coverage", "success"],
      ["build", "success"],
    ]);
    expect(result.jobs.find((job) => job.name === "coverage")?.coverage).toBe(100);
    expect(run.code).toBe(0);
  });

  it("runs each leg on its real interpreter: only the leg that lacks the feature fails", async () => {
    const run = await pylot(["run", "test/fixtures/projects/multi", "--json"]);

    const result = JSON.parse(run.stdout) as JsonResult;
    expect(result.jobs.map((job) => [job.name, job.conclusion])).toEqual([
      ["test (3.10, linux)", "failure"],
      ["test (3.12, linux)", "success"],
      ["test (3.13, linux)", "success"],
    ]);
    expect(result.jobs[0]?.summary).toMatch(/^tests failed \(exit 1\) on Python 3\.10\.\d+$/);
    expect(result.conclusion).toBe("failure");
    expect(run.code).toBe(1);
  });

  it("prints a human summary and exits 1 when a leg fails", async () => {
    const run = await pylot(["run", "test/fixtures/projects/failing-test"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/test \(3\.\d+, linux\)/);
    expect(run.stdout).toMatch(/fail/i);
  });

  it("exits 2 with the config error's position", async () => {
    const run = await pylot(["run", "test/fixtures/config-project"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/pylot\.yml:\d+:\d+: /);
  });

  it("exits 2 on a folder that is not a Python project", async () => {
    const run = await pylot(["run", "test/fixtures"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not a Python project");
  });
});
