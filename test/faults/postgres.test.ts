import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PostgresStore } from "../../src/store/index.js";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  pushPayload,
  serveConfig,
  sha,
  startPylot,
  type TestPylot,
} from "../helpers/github-app.js";
import { silentLog, useGitHubStub } from "../helpers/github.js";
import { TEST_DATABASE_URL, TestSchemas, adminQuery } from "../helpers/postgres.js";
import { tarballFrom } from "../security/projects.js";

/**
 * The app on PostgreSQL while its connections are killed (`pg_terminate_backend`, as a
 * failover or an idle-connection reaper would), over and over, for the whole of a pipeline.
 */

const gh = useGitHubStub();
const schemas = new TestSchemas();
let pylot: TestPylot | undefined;

afterEach(async () => {
  await pylot?.close();
  pylot = undefined;
  await schemas.dropAll();
});

const CONFIG = `
python: ["3.11"]
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c 'import time; time.sleep(3)'", coverage: false }
`;

/** Terminates every connection of the store (found by its application_name); answers how many. */
async function dropConnections(application: string): Promise<number> {
  const rows = await adminQuery<{ ok: boolean }>(
    "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1",
    [application],
  );
  return rows.length;
}

/**
 * Locks `table` from a connection of its own, runs `act`, waits until one of the store's
 * connections waits for the lock (a query in flight), terminates it, then unlocks. Answers the
 * error `act` ended with ("" when none).
 */
async function cutWhileBlocked(
  application: string,
  schema: string,
  table: string,
  act: () => Promise<void> | undefined,
): Promise<string> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query("BEGIN");
    await admin.query(`LOCK TABLE "${schema}"."${table}" IN ACCESS EXCLUSIVE MODE`);
    const acting = Promise.resolve(act()).then(
      () => "",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await vi.waitFor(
      async () => {
        const { rows } = await admin.query<{ n: number }>(
          "SELECT pg_terminate_backend(pid)::int AS n FROM pg_stat_activity " +
            "WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [application],
        );
        expect(rows.length).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 20 },
    );
    await admin.query("ROLLBACK");
    return await acting;
  } finally {
    await admin.end();
  }
}

/** The pipeline once completed, or as it stands after `ms`. */
async function settledWithin(app: TestPylot, head: string, ms: number) {
  const pipeline = await app.store.findPipelineBySha(REPO, head);
  if (pipeline === undefined) throw new Error(`no pipeline for ${head}`);
  const timeout = new Promise<void>((done) => setTimeout(done, ms));
  await Promise.race([app.settle(head), timeout]);
  return app.store.getPipeline(pipeline.id);
}

/** A store in a schema of its own, its connections named `application`. */
async function openStore(application: string): Promise<{ store: PostgresStore; schema: string }> {
  const schema = schemas.name();
  const store = await PostgresStore.open({
    url: TEST_DATABASE_URL,
    logger: silentLog,
    schema,
    applicationName: application,
  });
  return { store, schema };
}

async function push(app: TestPylot, head: string) {
  const api = gh.api();
  serveConfig(api, head, CONFIG);
  api.get(`/repos/${REPO}/tarball/${head}`).reply(200, await tarballFrom({ "setup.py": "" }));
  const checks = fakeChecks();
  await app.receive("push", pushPayload(head, `refs/heads/flaky-db-${head.slice(0, 4)}`));
  return checks;
}

/** Waits until the commit's job runs (its processes started), so the store sits idle. */
async function whileRunning(app: TestPylot, head: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const pipeline = await app.store.findPipelineBySha(REPO, head);
      const jobs = pipeline === undefined ? [] : await app.store.listJobs(pipeline.id);
      expect(jobs.map((job) => job.state)).toEqual(["in_progress"]);
    },
    { timeout: 30_000, interval: 100 },
  );
}

describe("PostgreSQL connections dropped mid-pipeline", { timeout: 120_000 }, () => {
  it("while a job runs: the pipeline ends, every check run completed, nothing left open", async () => {
    const application = `pylot-fault-${randomBytes(4).toString("hex")}`;
    const { store } = await openStore(application);
    pylot = await startPylot({}, { store });
    const head = sha("d7");
    const checks = await push(pylot, head);
    await whileRunning(pylot, head);

    const dropped = await dropConnections(application);
    const view = await pylot.settle(head);

    expect(dropped).toBeGreaterThan(0);
    expect(view.pipeline).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checks.states(head)).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
    expect(await store.listRunningPipelines()).toEqual([]);
  });

  it("under a webhook's own query: the query is sent again on a fresh connection, and a redelivery adds nothing", async () => {
    const application = `pylot-fault-${randomBytes(4).toString("hex")}`;
    const { store, schema } = await openStore(application);
    pylot = await startPylot({}, { store });
    const head = sha("d8");
    const api = gh.api();
    serveConfig(api, head, CONFIG);
    api.get(`/repos/${REPO}/tarball/${head}`).reply(200, await tarballFrom({ "setup.py": "" }));
    const checks = fakeChecks();
    const payload = pushPayload(head, "refs/heads/cut-webhook");

    const first = await cutWhileBlocked(application, schema, "deliveries", () =>
      pylot?.receive("push", payload, "cut-delivery"),
    );
    await pylot.receive("push", payload, "cut-delivery");
    const view = await pylot.settle(head);

    expect(first).toBe("");
    expect(view.pipeline).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checks.states(head)).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
  });

  it("under the write of a job's result: the pipeline still ends", async () => {
    const application = `pylot-fault-${randomBytes(4).toString("hex")}`;
    const { store, schema } = await openStore(application);
    pylot = await startPylot({}, { store });
    const head = sha("d9");
    const checks = await push(pylot, head);
    await whileRunning(pylot, head);

    await cutWhileBlocked(application, schema, "jobs", () => undefined);
    const view = await settledWithin(pylot, head, 30_000);

    expect(view).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checks.states(head)).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
  });
});
