import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
let workdir = "";

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), "pylot-wheel-app-"));
});
afterAll(async () => {
  await rm(workdir, { recursive: true, force: true });
});

interface JsonJob {
  name: string;
  kind: string;
  conclusion: string;
  summary: string | null;
  reports: Record<string, string>;
  artifacts?: { name: string; size: number; sha256: string; kind: string }[];
}

/** Runs the real CLI entry in a child process, as `npx pylot` would. */
function pylot(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(root, "src/cli/cli.ts"), ...args],
      {
        cwd: root,
        env: { ...process.env, PYLOT_WORKDIR: workdir },
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

describe("pylot run on a project with an integration stage", () => {
  it("builds a wheel and sdist, then tests the installed wheel with its service", async () => {
    const run = await pylot(["run", "test/fixtures/projects/wheel-app", "--json"]);

    expect(run.code).toBe(0);
    const jobs = (JSON.parse(run.stdout) as { jobs: JsonJob[] }).jobs;
    expect(jobs.map((job) => [job.name, job.conclusion])).toEqual([
      ["test (3.11, linux)", "success"],
      ["build", "success"],
      ["integration (3.11)", "success"],
    ]);
    const build = jobs[1];
    expect(build?.artifacts?.map((a) => [a.name, a.kind])).toEqual([
      ["wheel-app-1.2.3.tar.gz", "sdist"],
      ["wheel_app-1.2.3-py3-none-any.whl", "wheel"],
    ]);
    for (const artifact of build?.artifacts ?? []) {
      const bytes = await readFile(build?.reports[`dist/${artifact.name}`] ?? "");
      expect(artifact.size).toBe(bytes.length);
      expect(artifact.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    const integration = jobs[2];
    expect(integration?.summary).toMatch(
      /^wheel_app-1\.2\.3-py3-none-any\.whl: tests passed on Python 3\.11\.\d+$/,
    );
    const junit = await readFile(integration?.reports["junit.xml"] ?? "", "utf8");
    expect(junit).toMatch(/tests="3"/);
    expect(junit).toMatch(/failures="0"/);
    const log = await readFile(integration?.reports["job.log"] ?? "", "utf8");
    expect(log).toContain("Successfully installed wheel-app-1.2.3");
    expect(log).toContain("[pylot] service marker is ready");
    expect(log).not.toMatch(/pip install[^\n]* \.\s*$/m);
  });
});
