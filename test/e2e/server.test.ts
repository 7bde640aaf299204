import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { access, mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  startGitHubApiStub,
  type GitHubApiStub,
  type StubCheckRun,
} from "../helpers/github-api-stub.js";
import { checkRunPayload, pullRequestPayload, sha, tarballOf } from "../helpers/github-payloads.js";
import { COMMENT_MARKER } from "../../src/reports/index.js";

/**
 * The real server, as `npm start` runs it (Probot's CLI on dist/index.js), against a local
 * GitHub API stub through GHE_HOST, with real Python jobs on fixture projects.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const APP_ID = "4242";
const SECRET = "e2e-webhook-secret";
const exec = promisify(execFile);

// The jobs fail if anything of the app's reached their environment.
const NO_LEAKS =
  'python -c "import os, sys; sys.exit(any(s in v for v in os.environ.values() ' +
  "for s in ('ghs_', 'PRIVATE KEY', '" +
  SECRET +
  "')))\"";
const CONFIG = `
python: ["3.11", "3.12"]
venv: { system-site-packages: true }
install: []
lint: { flake8: {}, black: {}, pylint: false }
typecheck: { mypy: { paths: [okcalc] } }
security: { bandit: { paths: [okcalc] } }
test: { run: ${JSON.stringify(`python -m unittest discover -s tests && ${NO_LEAKS}`)}, coverage: false }
`;
const INSECURE = `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: { paths: [vault], fail-on: high, confidence: medium } }
test: { run: "python -c 'import vault'", coverage: false }
`;

let stub: GitHubApiStub;
let server: ChildProcess;
let port = 0;
let workdir = "";
const output: string[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise<void>((done) => {
    probe.close(() => {
      done();
    });
  });
  return free;
}

/**
 * Delivers the example PR event for `commit` after GitHub has it: the PR's head moves to
 * `commit` first, as a push to its branch does before `synchronize` is sent.
 */
async function deliverPullRequest(action: "opened" | "synchronize", commit: string) {
  const payload = pullRequestPayload(action, commit);
  const pull = payload.pull_request as { number: number; base: { sha: string; ref: string } };
  stub.servePullRequest(pull.number, {
    head: commit,
    base: pull.base.sha,
    baseRef: pull.base.ref,
    files: [{ filename: "okcalc/__init__.py", status: "modified", patch: "@@ -1 +1 @@\n-x\n+y" }],
  });
  return { reply: await deliver("pull_request", payload), number: pull.number };
}

/** The sticky PR comment, once it mentions `commit`; fails unless there is exactly one. */
async function stickyComment(number: number, commit: string): Promise<string> {
  return vi.waitFor(
    () => {
      const ours = stub.comments.filter((c) => c.issue === number);
      expect(ours.map((c) => c.body.includes(commit.slice(0, 12)))).toEqual([true]);
      return ours[0]?.body ?? "";
    },
    { timeout: 30_000, interval: 100 },
  );
}

async function deliver(event: string, payload: unknown): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify(payload);
  const signature = createHmac("sha256", SECRET).update(body).digest("hex");
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${signature}`,
    },
    body,
  });
  await response.text();
  return { status: response.status, ms: performance.now() - started };
}

function runsOf(commit: string): StubCheckRun[] {
  return stub.checkRuns.filter((run) => run.head_sha === commit);
}

/** [name, conclusion] of a commit's check runs, by name (creation order varies with timing). */
function results(commit: string): [string, string | null][] {
  return runsOf(commit)
    .map((run): [string, string | null] => [run.name, run.conclusion])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** Waits until every check run of the commit is completed; on failure shows the server's log. */
async function summaryDone(commit: string, count = 1): Promise<void> {
  const waiting = vi.waitFor(
    () => {
      const runs = runsOf(commit);
      const summaries = runs.filter((r) => r.name === "Pylot" && r.status === "completed");
      expect(summaries.length).toBeGreaterThanOrEqual(count);
      expect(runs.filter((r) => r.status !== "completed")).toEqual([]);
    },
    { timeout: 150_000, interval: 250 },
  );
  await waiting.catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- server log ---\n${output.join("").slice(-4000)}`);
  });
}

beforeAll(async () => {
  await exec("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT }).catch(() => undefined);
  await access(join(ROOT, "dist/index.js"));
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  stub = await startGitHubApiStub({ appId: APP_ID, privateKey: pem });
  // Short on purpose: jobs' TMPDIR lives under it, and black's multiprocessing puts a Unix
  // socket there, whose path must stay under 108 bytes.
  workdir = await mkdtemp(join(tmpdir(), "pe-"));
  port = await freePort();
  server = spawn(
    process.execPath,
    ["node_modules/probot/bin/probot.js", "run", "./dist/index.js"],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PYENV_ROOT: process.env.PYENV_ROOT,
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
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  server.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  await vi.waitFor(
    async () => {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    },
    { timeout: 60_000, interval: 200 },
  );
}, 120_000);

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((done) => server.once("exit", done));
    server.kill("SIGTERM");
    await exited;
  }
  await stub.close();
  await rm(workdir, { recursive: true, force: true });
});

describe("the Pylot server", { timeout: 180_000 }, () => {
  const first = sha("e1");
  const second = sha("f2");

  it("turns a signed pull_request delivery into check runs with real results", async () => {
    stub.serveCommit(first, { config: CONFIG, tarball: await tarballOf("ok") });

    const { reply, number } = await deliverPullRequest("opened", first);
    await summaryDone(first);
    const comment = await stickyComment(number, first);

    expect(reply.status).toBe(200);
    expect(results(first)).toEqual([
      ["Pylot", "success"],
      ["Pylot / lint", "success"],
      ["Pylot / security", "success"],
      ["Pylot / test (3.11, linux)", "success"],
      ["Pylot / test (3.12, linux)", "success"],
      ["Pylot / typecheck", "success"],
    ]);
    const configReads = stub.requests.filter((r) => r.path.includes("pylot.yml"));
    expect(configReads).toHaveLength(1);
    expect(comment.startsWith(COMMENT_MARKER)).toBe(true);
    expect(stub.unanswered).toEqual([]);
  });

  it("builds a new push to the pull request, with a real failing security scan", async () => {
    stub.serveCommit(second, { config: INSECURE, tarball: await tarballOf("insecure") });

    const { reply, number } = await deliverPullRequest("synchronize", second);
    await summaryDone(second);
    const comment = await stickyComment(number, second);

    expect(reply.status).toBe(200);
    expect(results(second)).toEqual([
      ["Pylot", "failure"],
      ["Pylot / security", "failure"],
      ["Pylot / test (3.11, linux)", "success"],
    ]);
    expect(runsOf(second).find((r) => r.name === "Pylot")?.actions).toEqual([
      expect.objectContaining({ identifier: "rerun-failed" }),
    ]);
    // Edited in place: created once, never deleted.
    const writes = stub.requests.filter((r) => r.path.includes("/comments") && r.method !== "GET");
    expect(writes.map((r) => r.method)).toEqual(["POST", "PATCH"]);
    expect(stub.comments.map((c) => c.body)).toEqual([comment]);
    expect(stub.unanswered).toEqual([]);
  });

  it("re-runs a job from its check run as a fresh check run", async () => {
    const security = runsOf(second).find((r) => r.name === "Pylot / security");

    const reply = await deliver(
      "check_run",
      checkRunPayload("rerequested", { externalId: security?.external_id ?? "", sha: second }),
    );
    await summaryDone(second, 2);

    expect(reply.status).toBe(200);
    const again = runsOf(second).filter((r) => r.name === "Pylot / security");
    expect(again.map((r) => [r.external_id.split("/")[1], r.conclusion])).toEqual([
      ["1", "failure"],
      ["2", "failure"],
    ]);
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((done) =>
      server.once("exit", (code) => {
        done(code);
      }),
    );

    server.kill("SIGTERM");

    expect(await exited).toBe(0);
  });
});
