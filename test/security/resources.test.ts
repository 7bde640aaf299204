import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeChecks, type FakeChecks } from "../helpers/github-checks.js";
import {
  QUICK,
  REPO,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  startPylot,
  type TestPylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { processesUnder } from "../helpers/processes.js";
import { tarballFrom } from "./projects.js";

/**
 * Jobs that abuse their host, through the real app. Jobs run in PID namespaces here (the tests
 * run as root), so the pids a job prints are not this host's: its processes are found by their
 * working folder, under the app's PYLOT_WORKDIR.
 */

const gh = useGitHubStub();
let pylot: TestPylot | undefined;
let workdir = "";

async function start(env: Record<string, string> = {}): Promise<TestPylot> {
  workdir = await mkdtemp(join(tmpdir(), "pylot-sec-res-"));
  pylot = await startPylot({ PYLOT_CONCURRENCY: "1", PYLOT_WORKDIR: workdir, ...env });
  return pylot;
}

afterEach(async () => {
  await pylot?.close();
  pylot = undefined;
  fake = undefined;
  for (const proc of await processesUnder(workdir)) process.kill(proc.pid, "SIGKILL");
  await rm(workdir, { recursive: true, force: true });
});

function config(run: string, minutes = 20): string {
  return `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
timeout-minutes: ${minutes}
test: { run: ${JSON.stringify(run)}, coverage: false }
`;
}

let fake: FakeChecks | undefined;

/** One fake of GitHub's check runs per test: its interceptors persist. */
function checksOf(): FakeChecks {
  fake ??= fakeChecks();
  return fake;
}

/** Runs one job with this script (probe.py) to its end. */
async function runScript(app: TestPylot, head: string, script: string, minutes?: number) {
  const api = gh.api();
  serveConfig(api, head, config("python probe.py", minutes));
  const tarball = await tarballFrom({ "probe.py": script, "setup.py": "" });
  api.get(`/repos/${REPO}/tarball/${head}`).reply(200, tarball);
  const checks = checksOf();
  await app.receive("push", pushPayload(head, "refs/heads/abuse"));
  const view = await app.settle(head);
  const job = view.jobs[0];
  return { view, checks, job, log: job?.result?.logTail ?? "" };
}

/** The kernel tears killed processes down just after the job reports: poll briefly. */
async function expectNoneLeft(): Promise<void> {
  await vi.waitFor(
    async () => {
      expect(await processesUnder(workdir)).toEqual([]);
    },
    { timeout: 10_000, interval: 100 },
  );
}

/** The bot still runs a pipeline to its end after the abuse. */
async function expectHealthy(app: TestPylot, head: string): Promise<void> {
  const api = gh.api();
  serveConfig(api, head, QUICK);
  await serveTarball(api, head, "ok");
  const checks = checksOf();
  await app.receive("push", pushPayload(head, "refs/heads/after-abuse"));
  await app.settle(head);
  expect(checks.states(head)).toEqual([
    ["Pylot", "completed", "success"],
    ["Pylot / test (3.11, linux)", "completed", "success"],
  ]);
}

const TEST_RUN = "Pylot / test (3.11, linux)";
const SETSID = `
import subprocess, sys
p = subprocess.Popen(["sleep", "600"], start_new_session=True)
print("escaped", p.pid, "session", __import__("os").getsid(p.pid), flush=True)
`;

describe("a job that abuses its host", { timeout: 120_000 }, () => {
  it("printing 200 MB has its log capped and the bot stays responsive", async () => {
    const app = await start();
    const rss = process.memoryUsage().rss;
    const script = `import sys\nline = "x" * 1023 + "\\n"\nfor _ in range(200 * 1024):\n    sys.stdout.write(line)\n`;

    const { view, checks, job } = await runScript(app, sha("3c"), script);

    expect(view.pipeline.conclusion).toBe("success");
    const log = job?.result?.reports["job.log"] ?? "";
    expect((await stat(log)).size).toBeLessThanOrEqual(65 * 1024 * 1024);
    expect(job?.result?.logTail.length).toBeLessThanOrEqual(65 * 1024);
    expect((checks.latest(TEST_RUN)?.output.text ?? "").length).toBeLessThan(65_536);
    // Not buffered whole in the bot: far less than the 200 MB printed.
    expect(process.memoryUsage().rss - rss).toBeLessThan(150 * 1024 * 1024);
  });

  it("ignoring SIGTERM at its timeout is killed by SIGKILL after the grace, with its children", async () => {
    const app = await start();
    const script = `
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
print("started", os.getpid(), child.pid, flush=True)
time.sleep(600)
`;

    const { view, checks, log } = await runScript(app, sha("4d"), script, 0.05);

    expect(view.pipeline.conclusion).toBe("failure");
    expect(checks.latest(TEST_RUN)?.output.summary).toMatch(/time/i);
    expect(log).toMatch(/started \d+ \d+/);
    await expectNoneLeft();
  });

  it("forking 100 children is stopped whole at its timeout", async () => {
    const app = await start();
    const script = `
import os, time
kids = 0
for _ in range(100):
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
    kids += 1
print("forked", kids, flush=True)
time.sleep(600)
`;

    const { view, log } = await runScript(app, sha("5e"), script, 0.05);

    expect(view.pipeline.conclusion).toBe("failure");
    expect(log).toContain("forked 100");
    await expectNoneLeft();
  });

  it("a process that leaves the job's process group (setsid) ends with the job", async () => {
    const app = await start();

    const { view, log } = await runScript(app, sha("6f"), SETSID);

    expect(view.pipeline.conclusion).toBe("success");
    expect(log).toMatch(/escaped (\d+) session \1/);
    await expectNoneLeft();
  });

  it("without namespaces, a setsid process of a job with a runner uid of its own is killed too", async () => {
    const app = await start({ PYLOT_JOB_ISOLATION: "process-group", PYLOT_RUNNER_UID: "65534" });

    const { view, log } = await runScript(app, sha("7a"), SETSID);

    expect(view.pipeline.conclusion).toBe("success");
    expect(log).toMatch(/escaped (\d+) session \1/);
    await expectNoneLeft();
  });

  it("FINDING: without namespaces or a runner uid, a setsid process outlives the job", async () => {
    const app = await start({ PYLOT_JOB_ISOLATION: "process-group" });

    const { view, log } = await runScript(app, sha("7b"), SETSID);

    expect(view.pipeline.conclusion).toBe("success");
    const escaped = Number(/escaped (\d+)/.exec(log)?.[1]);
    // Process groups cannot hold a process that calls setsid; a PID namespace (the default
    // where the host allows one) or a runner uid (killed whole at the end) can. This pins the
    // fallback README.md documents, so a change to it shows here.
    expect((await processesUnder(workdir)).map((proc) => proc.pid)).toEqual([escaped]);
  });

  it("forking without limit is bounded by PYLOT_JOB_MAX_PROCS under a runner uid", async () => {
    const app = await start({ PYLOT_RUNNER_UID: "65534", PYLOT_JOB_MAX_PROCS: "40" });
    const script = `
import os, time
forked, refused = 0, 0
for _ in range(300):
    try:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        forked += 1
    except OSError:
        refused += 1
print("forked", forked, "refused", refused, flush=True)
`;

    const { view, log } = await runScript(app, sha("8c"), script);

    expect(view.pipeline.conclusion).toBe("success");
    const [, forked, refused] = /forked (\d+) refused (\d+)/.exec(log) ?? [];
    expect(Number(forked)).toBeLessThan(40);
    expect(Number(refused)).toBeGreaterThan(250);
    await expectNoneLeft();
    await expectHealthy(app, sha("8d"));
  });

  it("filling its disk with one file is stopped at PYLOT_JOB_MAX_FILE_MB, and says so", async () => {
    const app = await start({ PYLOT_JOB_MAX_FILE_MB: "8" });
    const script = `
chunk = b"x" * (1024 * 1024)
with open("filler.bin", "wb") as f:
    for _ in range(1024):
        f.write(chunk)
`;

    const { view, checks, job, log } = await runScript(app, sha("9e"), script);

    expect(view.pipeline.conclusion).toBe("failure");
    expect(log).toContain("File too large");
    expect(job?.result?.summary).toMatch(
      /^tests failed \(exit 1\) on Python 3\.11\.\d+: filler\.bin reached the job's file size limit \(8 MiB, PYLOT_JOB_MAX_FILE_MB\)$/,
    );
    expect(checks.latest(TEST_RUN)?.output.summary).toContain(
      "filler.bin reached the job's file size limit (8 MiB",
    );
    await expectHealthy(app, sha("9f"));
  });

  it("FINDING: many files each below PYLOT_JOB_MAX_FILE_MB are not bounded as a whole", async () => {
    const app = await start({ PYLOT_JOB_MAX_FILE_MB: "1" });
    const script = `
chunk = b"x" * (512 * 1024)
for i in range(40):
    with open("part-%d.bin" % i, "wb") as f:
        f.write(chunk)
print("wrote 20 MiB", flush=True)
`;

    const { view, log } = await runScript(app, sha("9a"), script);

    // RLIMIT_FSIZE bounds one file; a bound on the workspace as a whole needs a filesystem
    // quota or a sized volume for PYLOT_WORKDIR (README: Running in production, isolation).
    expect(view.pipeline.conclusion).toBe("success");
    expect(log).toContain("wrote 20 MiB");
  });
});
