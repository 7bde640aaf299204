import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hostPids, isAlive, processesUnder } from "../../helpers/processes.js";
import { leftoverJobs, removeDir, reportsDir, request, runJob, tempDir } from "./harness.js";

const SLEEPER = { kind: "test", run: "python sleeper.py", coverage: false } as const;
const PIDS = /sleeper pid (\d+) grandchild pid (\d+)/;

function pidsIn(log: string): number[] {
  const match = PIDS.exec(log);
  return match === null ? [] : [Number(match[1]), Number(match[2])];
}

describe("job lifecycle", () => {
  let workdir: string;

  beforeEach(async () => {
    workdir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(workdir);
  });

  it("times a job out and kills its whole process tree", async () => {
    const job = request({ python: "3.12", project: "sleepy", timeoutMs: 4_000, steps: [SLEEPER] });

    const { result } = await runJob(workdir, job, { executor: { killGraceMs: 500 } });

    const pids = pidsIn(result.logTail);
    expect(result).toMatchObject({
      conclusion: "timed_out",
      summary: "timed out after 4s during test",
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "test", conclusion: "timed_out", exitCode: null },
      ],
    });
    expect(pids).toHaveLength(2);
    expect(await processesUnder(workdir)).toEqual([]);
    expect(await leftoverJobs(workdir)).toEqual([]);
  });

  it("cancels a running job on abort and kills its whole process tree", async () => {
    const controller = new AbortController();
    const job = request({
      python: "3.12",
      project: "sleepy",
      steps: [SLEEPER, { kind: "flake8", args: [] }],
    });
    const running = runJob(workdir, job, {
      signal: controller.signal,
      executor: { killGraceMs: 500 },
    });
    const log = join(reportsDir(workdir, "job-3.12"), "job.log");
    const pids = await vi.waitFor(
      async () => {
        const printed = pidsIn(await readFile(log, "utf8").catch(() => ""));
        const found = await hostPids(workdir, printed);
        expect(found).toHaveLength(2);
        return found;
      },
      { timeout: 30_000, interval: 50 },
    );

    controller.abort();
    const { result } = await running;

    expect(result).toMatchObject({
      conclusion: "cancelled",
      summary: "cancelled during test",
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "test", conclusion: "cancelled" },
        { name: "flake8", conclusion: "skipped" },
      ],
    });
    expect(await Promise.all(pids.map(isAlive))).toEqual([false, false]);
    expect(await leftoverJobs(workdir)).toEqual([]);
  });

  it("returns cancelled without starting when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const job = request({ python: "3.12", project: "sleepy", steps: [SLEEPER] });

    const { result, starts } = await runJob(workdir, job, { signal: controller.signal });

    expect(result).toMatchObject({
      conclusion: "cancelled",
      summary: "cancelled",
      steps: [{ name: "test", conclusion: "skipped" }],
    });
    expect(starts).toBe(0);
  });

  it("kills background processes a step leaves behind when it ends", async () => {
    const run = "sleep 300 & echo background pid $!";
    const job = request({ python: "3.12", steps: [{ kind: "test", run, coverage: false }] });

    const { result } = await runJob(workdir, job);

    const pid = Number(/background pid (\d+)/.exec(result.logTail)?.[1]);
    expect(result.conclusion).toBe("success");
    expect(pid).toBeGreaterThan(0);
    expect(await processesUnder(workdir)).toEqual([]);
  });
});

describe("job environment and secrets", () => {
  let workdir: string;
  const saved = { ...process.env };
  const leaks = {
    GITHUB_TOKEN: "ghs_runnerTokenMustNotLeak",
    PYLOT_DATABASE_URL: "postgres://pylot:dbpassword@db/pylot",
    PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
  };

  beforeEach(async () => {
    workdir = await tempDir();
    Object.assign(process.env, leaks);
  });
  afterEach(async () => {
    for (const name of Object.keys(leaks)) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
    await removeDir(workdir);
  });

  it("builds the job's environment from scratch", async () => {
    const job = request({
      python: "3.12",
      steps: [{ kind: "test", run: "env | sort", coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    expect(result.conclusion).toBe("success");
    for (const [name, value] of Object.entries(leaks)) {
      expect(result.logTail).not.toContain(name);
      expect(result.logTail).not.toContain(value);
    }
    expect(result.logTail).toContain("PYLOT_SHA=0123456789abcdef0123456789abcdef01234567");
    expect(result.logTail).toContain("PYLOT_REF=refs/heads/main");
    expect(result.logTail).toContain("PYLOT_PYTHON=3.12");
    expect(result.logTail).toContain("PYLOT_JOB=test (3.12, linux)");
    expect(result.logTail).toContain("CI=true");
    expect(result.logTail).toMatch(/^PATH=\/.*\/venv\/bin:\/usr\/local\/bin:\/usr\/bin:\/bin$/m);
    expect(result.logTail).toMatch(/^HOME=\/.*\/jobs\/[0-9a-f]{16}-1\/home$/m);
  });

  it("gives secrets to the job and redacts them from the tail and job.log", async () => {
    const secret = "s3cr3t-deploy-token-4242";
    // Written in two chunks with a pause between, so the secret spans two reads of the pipe.
    const split =
      'import os, sys, time; s = os.environ["DEPLOY_TOKEN"]; sys.stdout.write("split=" + s[:9]); ' +
      "sys.stdout.flush(); time.sleep(0.05); print(s[9:])";
    const run = `echo "token=$DEPLOY_TOKEN"; python -c '${split}'; echo "short=$SHORT"`;
    const job = request({
      python: "3.12",
      secrets: { DEPLOY_TOKEN: secret, SHORT: "abc" },
      steps: [{ kind: "test", run, coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    const log = await readFile(result.reports["job.log"] ?? "", "utf8");
    for (const text of [result.logTail, log]) {
      expect(text).toContain("token=***");
      expect(text).toContain("split=***");
      expect(text).toContain("short=abc");
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(9));
    }
  });

  it("masks secrets inside text reports such as junit.xml", async () => {
    const write =
      'import os; path = os.environ["PYTEST_ADDOPTS"].split("=", 1)[1]; ' +
      'open(path, "w").write("<testsuites>" + os.environ["TOKEN"] + "</testsuites>")';
    const job = request({
      python: "3.12",
      secrets: { TOKEN: "tok-in-a-report-9999" },
      steps: [{ kind: "test", run: `python -c '${write}'`, coverage: false }],
    });

    const { result } = await runJob(workdir, job);

    expect(result.conclusion).toBe("success");
    expect(await readFile(result.reports["junit.xml"] ?? "", "utf8")).toBe(
      "<testsuites>***</testsuites>",
    );
  });

  it("keeps only the last logTailBytes of the log, from a line start", async () => {
    const run = "python -c 'for i in range(5000): print(\"line\", i)'";
    const job = request({ python: "3.12", steps: [{ kind: "test", run, coverage: false }] });

    const { result } = await runJob(workdir, job, { executor: { logTailBytes: 1024 } });

    const log = await readFile(result.reports["job.log"] ?? "", "utf8");
    expect(Buffer.byteLength(result.logTail)).toBeLessThanOrEqual(1024);
    expect(log.endsWith(result.logTail)).toBe(true);
    expect(log.charAt(log.length - result.logTail.length - 1)).toBe("\n");
    expect(log).toContain("line 0\n");
    expect(result.logTail).toContain("line 4999\n");
  });
});
