import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deliver, freePort, startProcess, type Proc } from "../e2e/processes.js";
import { startGitHubApiStub, type GitHubApiStub } from "../helpers/github-api-stub.js";
import { pushPayload, sha } from "../helpers/github-payloads.js";
import { tarballFrom } from "../security/projects.js";

/**
 * The real server (`probot run dist/index.js`) on a SQLite file, killed with SIGKILL while a
 * job runs, then started again on the same database: nothing may stay queued or in progress.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const APP_ID = "4343";
const SECRET = "restart-webhook-secret";
const exec = promisify(execFile);
const CONFIG = `
python: ["3.11"]
install: []
lint: { flake8: {}, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python slow.py", coverage: false }
`;
// Runs long enough to be killed mid-way; records each start so the test can see the re-run.
const SLOW = `import os
import time

with open(open("starts.txt").read().strip(), "a") as f:
    f.write("%d\\n" % os.getpid())
time.sleep(6)
`;

let stub: GitHubApiStub;
let workdir = "";
let pem = "";
const procs: Proc[] = [];

function startBot(port: number): Proc {
  const proc = startProcess({
    name: `bot-${procs.length + 1}`,
    args: ["node_modules/probot/bin/probot.js", "run", "./dist/index.js"],
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      NODE_ENV: "production",
      APP_ID,
      PRIVATE_KEY: pem,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      GHE_HOST: stub.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      PYLOT_DATABASE_URL: `sqlite:${join(workdir, "pylot.db")}`,
      PYLOT_WORKDIR: workdir,
      PYLOT_PYTHONS: "3.11=/usr/bin/python3",
      PYLOT_CONCURRENCY: "2",
      PYLOT_PUBLIC_URL: "https://pylot.example",
    },
  });
  procs.push(proc);
  return proc;
}

async function healthy(port: number, proc: Proc): Promise<void> {
  await vi
    .waitFor(
      async () => {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).toBe(200);
      },
      { timeout: 60_000, interval: 200 },
    )
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n${proc.output().slice(-3000)}`);
    });
}

beforeAll(async () => {
  await exec("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT }).catch(() => undefined);
  await access(join(ROOT, "dist/index.js"));
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  stub = await startGitHubApiStub({ appId: APP_ID, privateKey: pem });
  workdir = await mkdtemp(join(tmpdir(), "pf-"));
}, 120_000);

afterAll(async () => {
  for (const proc of procs) await proc.kill9();
  await stub.close();
  await rm(workdir, { recursive: true, force: true });
});

describe("the bot killed with SIGKILL mid-pipeline", { timeout: 180_000 }, () => {
  it("finishes every check run after a restart on the same database", async () => {
    const head = sha("9a");
    const starts = join(workdir, "starts.txt");
    const tarball = await tarballFrom({ "slow.py": SLOW, "starts.txt": starts, "setup.py": "" });
    stub.serveCommit(head, { config: CONFIG, tarball });
    const port = await freePort();
    const first = startBot(port);
    await healthy(port, first);

    const status = await deliver({
      port,
      secret: SECRET,
      event: "push",
      payload: pushPayload(head),
    });
    await vi.waitFor(
      async () => {
        const running = stub.checkRuns.filter((r) => r.name.startsWith("Pylot / test"));
        expect(running.map((r) => r.status)).toEqual(["in_progress"]);
        expect((await readFile(starts, "utf8").catch(() => "")).trim()).not.toBe("");
      },
      { timeout: 60_000, interval: 100 },
    );
    await first.kill9();
    const stuck = stub.checkRuns.filter((r) => r.status !== "completed").map((r) => r.name);
    const second = startBot(port);
    await healthy(port, second);
    await vi
      .waitFor(
        () => {
          const runs = stub.checkRuns.filter((r) => r.head_sha === head);
          expect(runs.filter((r) => r.status !== "completed")).toEqual([]);
          expect(runs.some((r) => r.name === "Pylot")).toBe(true);
          expect(runs.some((r) => r.external_id.startsWith("job/2/"))).toBe(true);
        },
        { timeout: 120_000, interval: 250 },
      )
      .catch((error: unknown) => {
        const log = second
          .lines()
          .filter((line) => line["name"] !== "http")
          .map((line) => JSON.stringify(line).slice(0, 400));
        const runs = stub.checkRuns.map((r) => `${r.name} ${r.status} ${r.external_id}`);
        throw new Error(`${String(error)}\n${runs.join("\n")}\n${log.join("\n")}`);
      });

    expect(status).toBe(200);
    expect(stuck).toContain("Pylot / test (3.11, linux)");
    const runs = stub.checkRuns.filter((r) => r.head_sha === head);
    // The interrupted attempt is closed as cancelled; its retry has a check run of its own.
    expect(
      runs.map((r) => [r.external_id.split("/", 2).join("/"), r.name, r.conclusion]).sort(),
    ).toEqual([
      ["job/1", "Pylot / lint", "success"],
      ["job/1", "Pylot / test (3.11, linux)", "cancelled"],
      ["job/2", "Pylot / test (3.11, linux)", "success"],
      ["summary/1", "Pylot", "success"],
    ]);
    expect(stub.unanswered).toEqual([]);
  });
});
