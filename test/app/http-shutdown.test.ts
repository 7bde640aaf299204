import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JobRecord } from "../../src/engine/ports.js";
import { SqliteStore } from "../../src/store/index.js";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, pushPayload, serveConfig, serveTarball, sha, QUICK } from "../helpers/github-app.js";
import { silentLog } from "../helpers/github.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";

/** Graceful shutdown (SIGTERM runs `app.shutdown`): drain, then close. */

const gh = useGitHubStubWithServer();
const servers: PylotServer[] = [];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylot-shutdown-"));
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await rm(dir, { recursive: true, force: true });
});

const SLEEPY = `
install: []
timeout-minutes: 1
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python sleeper.py", coverage: false }
`;

async function start(grace: string): Promise<PylotServer> {
  const server = await startPylotServer({
    databaseUrl: `sqlite:${join(dir, "pylot.db")}`,
    workdir: join(dir, "work"),
    env: { PYLOT_SHUTDOWN_GRACE_SECONDS: grace },
  });
  servers.push(server);
  return server;
}

async function push(pylot: PylotServer, commit: string, project: string, config: string) {
  const api = gh.api();
  serveConfig(api, commit, config);
  await serveTarball(api, commit, project);
  await pylot.receive("push", pushPayload(commit, "refs/heads/feature"));
}

/** The commit's only job, read from the database file after the app closed it. */
async function storedJob(commit: string): Promise<JobRecord | undefined> {
  const store = SqliteStore.open({ path: join(dir, "pylot.db"), logger: silentLog });
  try {
    const pipeline = await store.findPipelineBySha(REPO, commit);
    return (await store.listJobs(pipeline?.id ?? ""))[0];
  } finally {
    await store.close();
  }
}

async function untilRunning(pylot: PylotServer, commit: string): Promise<JobRecord> {
  const pipeline = await pylot.store.findPipelineBySha(REPO, commit);
  return vi.waitFor(async () => {
    const [job] = await pylot.store.listJobs(pipeline?.id ?? "");
    expect(job?.state).toBe("in_progress");
    return job as JobRecord;
  });
}

describe("shutting down", () => {
  it("lets a running job finish within the grace period before closing", async () => {
    const pylot = await start("120");
    fakeChecks();
    const head = sha("a1");
    await push(pylot, head, "ok", QUICK);

    await pylot.app.shutdown();

    expect(await storedJob(head)).toMatchObject({ state: "completed", conclusion: "success" });
  });

  it("refuses webhooks and is not ready while draining", async () => {
    const pylot = await start("120");
    fakeChecks();
    const head = sha("b2");
    await push(pylot, head, "sleepy", SLEEPY);
    await untilRunning(pylot, head);
    const stopping = pylot.app.shutdown();

    const webhook = await pylot.deliver("push", pushPayload(sha("c3"), "refs/heads/other"));
    const ready = await pylot.get("/readyz");
    const health = await pylot.get("/healthz");
    const refused = await pylot.store.findPipelineBySha(REPO, sha("c3"));
    const pipeline = await pylot.store.findPipelineBySha(REPO, head);
    await pylot.services.engine.cancelPipeline(pipeline?.id ?? "", "test over");
    await stopping;

    expect(webhook.status).toBe(503);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "unavailable", reason: "shutting down" });
    expect(health.status).toBe(200);
    expect(refused).toBeUndefined();
  });

  it("cancels what still runs after the grace period, and the next start runs it again", async () => {
    const first = await start("0");
    const checks = fakeChecks();
    checks.serveList();
    const head = sha("d4");
    await push(first, head, "sleepy", SLEEPY);
    await untilRunning(first, head);

    await first.app.shutdown();
    const left = await storedJob(head);
    await serveTarball(gh.api(), head, "sleepy");
    const second = await start("0");
    const again = await untilRunning(second, head);

    expect(left).toMatchObject({ state: "in_progress", attempt: 1 });
    expect(again.attempt).toBe(2);
  });
});
