import { execFile } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { access, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startGitHubApiStub, type GitHubApiStub } from "../helpers/github-api-stub.js";
import { pullRequestPayload, pushPayload, sha, tarballOf } from "../helpers/github-payloads.js";
import { TEST_DATABASE_URL, adminQuery, uniqueSchemaName } from "../helpers/postgres.js";
import { TEST_REDIS_URL, removeKeys, uniquePrefix } from "../helpers/redis.js";
import { ClusterState } from "./cluster-state.js";
import {
  deliver,
  freePort,
  holding,
  jobsLogged,
  outcomesLogged,
  startProcess,
  type Proc,
} from "./processes.js";

/**
 * The scaled set-up of ARCHITECTURE.md §4 as an operator runs it, on this machine's PostgreSQL
 * and Redis: two bot replicas (`probot run`, PYLOT_RUNNER=queue) that have no Python at all, two
 * `pylot runner` processes, and the GitHub API stub. Mid-pipeline, one runner (holding a job)
 * and the replica that took the webhook are killed with SIGKILL.
 */

const ROOT = resolve(import.meta.dirname, "../..");
// A build of our own: another e2e file rebuilding dist/ while these processes load it would
// hand them half-written files.
const BUILD = join(ROOT, "node_modules/.cache/pylot-scale-out");
const APP_ID = "4343";
const SECRET = "scale-out-webhook-secret";

// The 3.12 leg outlasts the replica's check run writes, so a runner still holds it when the
// processes are killed.
const SLOW_ON_312 = "import sys, time; time.sleep(12 if sys.version_info[:2] == (3, 12) else 0)";
const CONFIG = `
python: ["3.11", "3.12"]
venv: { system-site-packages: true }
install: []
lint: { flake8: {}, black: {}, pylint: false }
typecheck: { mypy: { paths: [okcalc] } }
security: { bandit: { paths: [okcalc] } }
test:
  run: python -m unittest discover -s tests && python -c "${SLOW_ON_312}"
  coverage: { minimum: 50, on: { python: "3.11" } }
`;
const REPO = "Codertocat/Hello-World";
const FIXTURES = join(ROOT, "test/fixtures/projects");
// No "python:": the replicas' PYLOT_DEFAULT_PYTHON names the version.
const QUICK = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: python -m unittest discover -s tests, coverage: false }
`;

interface Replica extends Proc {
  readonly port: number;
}

let stub: GitHubApiStub;
let state: ClusterState;
let pem = "";
let base = "";
const schema = uniqueSchemaName();
const prefix = uniquePrefix();
const procs: Proc[] = [];

function databaseUrl(): string {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

function githubEnv(): Record<string, string> {
  return { APP_ID, PRIVATE_KEY: pem, GHE_HOST: stub.host, GHE_PROTOCOL: "http" };
}

function queueEnvOf(name: string): Record<string, string> {
  return {
    PYLOT_REDIS_URL: TEST_REDIS_URL,
    PYLOT_QUEUE_PREFIX: prefix,
    PYLOT_WORKDIR: join(base, name),
    LOG_LEVEL: "info",
  };
}

/** A bot replica with no interpreter anywhere: PATH, HOME and PYENV_ROOT are empty folders. */
async function startReplica(name: string): Promise<Replica> {
  const bare = join(base, "bare");
  await mkdir(join(bare, "bin"), { recursive: true });
  const port = await freePort();
  const proc = startProcess({
    name,
    cwd: ROOT,
    args: ["node_modules/probot/bin/probot.js", "run", join(BUILD, "index.js")],
    env: {
      ...githubEnv(),
      ...queueEnvOf(name),
      PATH: join(bare, "bin"),
      HOME: bare,
      PYENV_ROOT: join(bare, "pyenv"),
      NODE_ENV: "production",
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_FORMAT: "json",
      PYLOT_DATABASE_URL: databaseUrl(),
      PYLOT_RUNNER: "queue",
      PYLOT_PUBLIC_URL: "https://pylot.example",
      PYLOT_SHUTDOWN_GRACE_SECONDS: "2",
      PYLOT_DEFAULT_PYTHON: "3.13",
    },
  });
  procs.push(proc);
  await logged(
    vi.waitFor(
      async () => {
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      },
      { timeout: 60_000, interval: 200 },
    ),
  );
  return { ...proc, port };
}

/** `pylot runner` with short stall settings, so a dead runner's job is back within seconds. */
async function startRunner(name: string): Promise<Proc> {
  const proc = startProcess({
    name,
    cwd: ROOT,
    args: [join(BUILD, "cli/cli.js"), "runner"],
    env: {
      ...githubEnv(),
      ...queueEnvOf(name),
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      ...(process.env.PYENV_ROOT === undefined ? {} : { PYENV_ROOT: process.env.PYENV_ROOT }),
      PYLOT_PYTHONS: "3.11=/usr/bin/python3",
      PYLOT_RUNNER_NAME: name,
      PYLOT_CONCURRENCY: "2",
      PYLOT_LOCK_DURATION: "2s",
      PYLOT_STALLED_INTERVAL: "1s",
      PYLOT_HEARTBEAT_INTERVAL: "500ms",
    },
  });
  procs.push(proc);
  await logged(
    vi.waitFor(
      () => {
        expect(proc.output()).toContain('"msg":"runner ready"');
      },
      { timeout: 30_000, interval: 100 },
    ),
  );
  return proc;
}

/** On failure, shows the tail of every process's output. */
async function logged<T>(waiting: Promise<T>): Promise<T> {
  return waiting.catch((error: unknown) => {
    const tails = procs.map((p) => `--- ${p.name} ---\n${p.output().slice(-2500)}`);
    throw new Error(
      `${String(error)}\n${tails.join("\n")}\n--- check runs ---\n${state.checkRunWrites()}`,
    );
  });
}

async function storeCompleted(commit: string): Promise<void> {
  await logged(
    vi.waitFor(
      async () => {
        const pipelines = await state.pipelineRows(commit);
        expect(pipelines.map((pipeline) => pipeline.status)).toContain("completed");
      },
      { timeout: 60_000, interval: 200 },
    ),
  );
}

/** The pipeline is completed in the store, then its check runs are on GitHub. */
async function allCompleted(commit: string): Promise<void> {
  await storeCompleted(commit);
  await logged(
    vi.waitFor(
      () => {
        state.expectChecksCompleted(commit);
      },
      { timeout: 30_000, interval: 200 },
    ),
  );
}

let replicaA: Replica;
let replicaB: Replica;
let replicaC: Replica | undefined;
let runner1: Proc;
let runner2: Proc;
const runners = () => [runner1, runner2];

beforeAll(async () => {
  const build = ["tsc", "-p", "tsconfig.build.json", "--outDir", BUILD];
  await promisify(execFile)("npx", build, { cwd: ROOT }).catch(() => undefined);
  await access(join(BUILD, "index.js"));
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  stub = await startGitHubApiStub({ appId: APP_ID, privateKey: pem });
  state = new ClusterState({ stub, schema, prefix });
  // Short: jobs' TMPDIR lives under it, and black puts a Unix socket there (108-byte limit).
  base = await mkdtemp(join(tmpdir(), "pso-"));
  await adminQuery(`CREATE SCHEMA "${schema}"`);
  [replicaA, replicaB, runner1, runner2] = await Promise.all([
    startReplica("replica-a"),
    startReplica("replica-b"),
    startRunner("runner-1"),
    startRunner("runner-2"),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((proc) => proc.stop()));
  await stub.close();
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await removeKeys(prefix);
  await rm(base, { recursive: true, force: true });
}, 60_000);

describe("two replicas and two runners on PostgreSQL and Redis", { timeout: 120_000 }, () => {
  const first = sha("5a");
  const second = sha("6b");

  it("completes a pull request's matrix after losing a runner mid-job and the webhook's replica", async () => {
    stub.serveCommit(first, { config: CONFIG, tarball: await tarballOf("ok") });
    stub.servePullRequest(2, { head: first, base: sha("0b") });

    const status = await deliver({
      port: replicaA.port,
      secret: SECRET,
      event: "pull_request",
      payload: pullRequestPayload("opened", first),
    });
    const killed = await logged(
      vi.waitFor(
        async () => {
          await state.expectHandedOver(first, 6);
          const victim = runners().find((runner) => holding(runner).length > 0);
          expect(victim?.name).toBeDefined();
          return { victim: victim ?? runner1, jobs: victim === undefined ? [] : holding(victim) };
        },
        { timeout: 30_000, interval: 50 },
      ),
    );
    await Promise.all([killed.victim.kill9(), replicaA.kill9()]);
    await storeCompleted(first);

    expect(status).toBe(200);
    expect(await state.pipelineRows(first)).toEqual([
      { status: "completed", conclusion: "success" },
    ]);
    const rows = await state.jobRows(first);
    expect(rows.map((row) => [row.key, row.state, row.attempt])).toEqual([
      ["lint", "completed", 1],
      ["typecheck", "completed", 1],
      ["security", "completed", 1],
      ["test-3.11-linux", "completed", 1],
      ["test-3.12-linux", "completed", 1],
      ["coverage", "completed", 1],
    ]);
    // The killed runner's jobs were taken back and finished by the other one (same attempt:
    // BullMQ's stall recovery); every job that needs Python ran on a runner, as the replicas
    // have none.
    const survivor = killed.victim === runner1 ? runner2 : runner1;
    expect(jobsLogged(survivor, "job finished")).toEqual(expect.arrayContaining(killed.jobs));
    const ranOnRunners = runners().flatMap((r) => jobsLogged(r, "job finished"));
    const runnable = rows.filter((row) => row.key !== "coverage").map((row) => row.id);
    expect(ranOnRunners).toEqual(expect.arrayContaining(runnable));
  });

  it("leaves that pipeline's check runs completed, each created once", async () => {
    await allCompleted(first);

    expect(state.conclusions(first)).toEqual({
      Pylot: "success",
      "Pylot / lint": "success",
      "Pylot / typecheck": "success",
      "Pylot / security": "success",
      "Pylot / test (3.11, linux)": "success",
      "Pylot / test (3.12, linux)": "success",
      "Pylot / coverage": "success",
    });
    const once = Object.keys(state.conclusions(first)).map((name) => [name, 1]);
    expect(state.creates(first)).toEqual(Object.fromEntries(once));
    // The surviving replica found the summary check run the dead one created.
    const lookups = stub.requests.filter(
      (r) => r.method === "GET" && r.path.includes(`/commits/${first}/check-runs`),
    );
    expect(lookups).not.toEqual([]);
    expect(stub.unanswered.filter((request) => request.includes("/check-runs"))).toEqual([]);
  });

  it("builds a commit once when its push and its pull request reach two replicas at once", async () => {
    stub.serveCommit(second, { config: QUICK, tarball: await tarballOf("ok") });
    stub.servePullRequest(2, { head: second, base: sha("0b") });
    replicaC = await startReplica("replica-c");

    const statuses = await Promise.all([
      deliver({
        port: replicaB.port,
        secret: SECRET,
        event: "push",
        payload: pushPayload(second, "refs/heads/changes"),
      }),
      deliver({
        port: replicaC.port,
        secret: SECRET,
        event: "pull_request",
        payload: pullRequestPayload("synchronize", second),
      }),
    ]);
    await storeCompleted(second);

    expect(statuses).toEqual([200, 200]);
    expect(await state.pipelineRows(second)).toEqual([
      { status: "completed", conclusion: "success" },
    ]);
    expect((await state.jobRows(second)).map((row) => row.key)).toEqual(["test-3.13-linux"]);
    const outcomes = [
      ...outcomesLogged(replicaB, "push handled"),
      ...outcomesLogged(replicaC, "pull request handled"),
    ];
    expect(outcomes.sort()).toEqual(["exists", "started"]);
  });

  it("keeps what a runner built and tests the wheel on another runner: files cross through Redis", async () => {
    const third = sha("7c");
    const config = await readFile(join(FIXTURES, "wheel-app/.github/pylot.yml"), "utf8");
    stub.serveCommit(third, { config, tarball: await tarballOf("wheel-app") });

    const status = await deliver({
      port: replicaB.port,
      secret: SECRET,
      event: "push",
      payload: pushPayload(third, "refs/heads/changes"),
    });
    await storeCompleted(third);
    const listing = await fetch(`http://127.0.0.1:${replicaB.port}/artifacts/${REPO}/${third}`);
    const { artifacts } = (await listing.json()) as {
      artifacts: { name: string; sha256: string }[];
    };
    // Each replica keeps files in its own work folder: the one that applied the result serves.
    const live = [replicaB, ...(replicaC === undefined ? [] : [replicaC])];
    const served = await Promise.all(
      artifacts.map(async (artifact) => {
        const hashes = await Promise.all(
          live.map(async (replica) => {
            const path = `/artifacts/${REPO}/${third}/${artifact.name}`;
            const response = await fetch(`http://127.0.0.1:${replica.port}${path}`);
            const body = Buffer.from(await response.arrayBuffer());
            return response.ok ? createHash("sha256").update(body).digest("hex") : undefined;
          }),
        );
        return hashes.filter((hash) => hash !== undefined);
      }),
    );

    expect(status).toBe(200);
    expect(await state.pipelineRows(third)).toEqual([
      { status: "completed", conclusion: "success" },
    ]);
    expect(artifacts.map((a) => a.name).sort()).toEqual([
      "wheel-app-1.2.3.tar.gz",
      "wheel_app-1.2.3-py3-none-any.whl",
    ]);
    expect(served).toEqual(artifacts.map((artifact) => [artifact.sha256]));
  });
});
