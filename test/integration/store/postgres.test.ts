import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobRecord } from "../../../src/engine/ports.js";
import {
  MIGRATIONS,
  PostgresStore,
  StoreConfigError,
  StoreDataError,
  openStore,
  type Migration,
  type PostgresStoreOptions,
} from "../../../src/store/index.js";
import { TEST_DATABASE_URL, TestSchemas, adminQuery, captureLogs } from "../../helpers/postgres.js";
import {
  describeStoreContract,
  jobResult,
  jobsOf,
  pipelineRecord,
} from "../../helpers/store-contract.js";

const logger = pino({ level: "silent" });
const schemas = new TestSchemas();
const stores: PostgresStore[] = [];

afterAll(async () => {
  await schemas.dropAll();
});

function withDatabase(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

function withPassword(password: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.password = password;
  return url.toString();
}

async function open(
  schema: string,
  options: Partial<PostgresStoreOptions> = {},
): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url: TEST_DATABASE_URL, logger, schema, ...options });
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describeStoreContract("PostgresStore", async () =>
  PostgresStore.open({ url: TEST_DATABASE_URL, logger, schema: schemas.name() }),
);

describe("PostgresStore across replicas", () => {
  let a: PostgresStore;
  let b: PostgresStore;
  beforeEach(async () => {
    const schema = await schemas.create();
    [a, b] = await Promise.all([open(schema), open(schema)]);
  });

  it("lets exactly one of many racing transitions win, per job", async () => {
    const pipeline = pipelineRecord("p1", {
      keys: Array.from({ length: 20 }, (_, i) => `job-${i}`),
    });
    await a.createPipeline(pipeline, jobsOf(pipeline));
    const condition = { from: ["pending" as const, "queued" as const], attempt: 1 };
    const race = (job: JobRecord) =>
      Array.from({ length: 8 }, (_, racer) => {
        const startedAt = new Date(Date.UTC(2024, 4, 1, 0, 0, racer)).toISOString();
        const replica = racer % 2 === 0 ? a : b;
        return replica.transitionJob(job.id, condition, { state: "in_progress", startedAt });
      });

    const outcomes = await Promise.all(jobsOf(pipeline).map((job) => Promise.all(race(job))));

    const jobs = await b.listJobs("p1");
    outcomes.forEach((perJob, i) => {
      const winners = perJob.filter((outcome) => outcome !== undefined);
      expect(winners).toHaveLength(1);
      expect(jobs[i]).toEqual(winners[0]);
    });
  });

  it("records a delivery raced from both replicas exactly once", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `delivery-${i}`);

    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.all([a, b, a, b, a, b].map((replica) => replica.recordDelivery(id, "push"))),
      ),
    );

    expect(outcomes.map((perId) => perId.filter(Boolean).length)).toEqual(ids.map(() => 1));
  });

  it("merges bookkeeping written by both replicas at once", async () => {
    const pipeline = pipelineRecord("p1");
    await a.createPipeline(pipeline, jobsOf(pipeline));
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);

    await Promise.all(
      keys.map((key, i) => (i % 2 === 0 ? a : b).setJobExternal("p1:lint", { [key]: key })),
    );

    const external = (await a.getJob("p1:lint"))?.external;
    expect(external).toEqual(Object.fromEntries(keys.map((key) => [key, key])));
  });
});

describe("PostgresStore migrations", () => {
  it("applies each migration once when replicas start together on a fresh schema", async () => {
    const schema = schemas.name();
    const logs = captureLogs();

    const opened = await Promise.all([1, 2, 3, 4].map(() => open(schema, { logger: logs.logger })));

    const applied = logs.lines.filter((l) => l["msg"] === "store opened").map((l) => l["applied"]);
    const versions = await adminQuery("SELECT version FROM schema_migrations", [], schema);
    expect(opened).toHaveLength(4);
    expect(applied.sort()).toEqual([[], [], [], MIGRATIONS.map((m) => m.version)]);
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it("keeps pipelines and jobs across a restart", async () => {
    const schema = await schemas.create();
    const pipeline = pipelineRecord("p1", { keys: ["lint", "build"] });
    const first = await open(schema);
    await first.createPipeline(pipeline, jobsOf(pipeline));
    await first.transitionJob("p1:lint", { from: ["pending"], attempt: 1 }, { state: "queued" });
    await first.close();

    const second = await open(schema);

    expect(await second.listRunningPipelines()).toEqual([pipeline]);
    const jobs = await second.listJobs("p1");
    expect(jobs.map((job) => [job.spec.key, job.state])).toEqual([
      ["lint", "queued"],
      ["build", "pending"],
    ]);
  });

  it("rolls back every migration of a failed run, schema included", async () => {
    const schema = schemas.name();
    const migrations: Migration[] = [
      { version: 1, name: "good", sql: "CREATE TABLE a (x TEXT)" },
      { version: 2, name: "bad", sql: { sqlite: "", postgres: "CREATE TABLE oops (" } },
    ];

    const opened = open(schema, { migrations });

    await expect(opened).rejects.toThrow(/syntax error/);
    const found = await adminQuery("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    expect(found).toEqual([]);
  });

  it("opens a database migrated by a newer build, with a warning", async () => {
    const schema = await schemas.create();
    await (await open(schema)).close();
    await adminQuery("INSERT INTO schema_migrations VALUES (999, 'future', 'x')", [], schema);
    const logs = captureLogs();

    await open(schema, { logger: logs.logger });

    const warning = logs.lines.find((l) => l["msg"] === "database schema is newer than this build");
    expect(warning).toMatchObject({ versions: [999] });
  });
});

describe("PostgresStore connection problems", () => {
  it.each([
    {
      name: "a refused port",
      url: "postgres://postgres:s3cret@127.0.0.1:1/test",
      message:
        /Cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(database "test"\): .*ECONNREFUSED.*Is the server running/,
    },
    {
      name: "an unknown database",
      url: withDatabase("no_such_db_pylot"),
      message: /database "no_such_db_pylot" does not exist\. Create the database/,
    },
    {
      name: "a malformed port",
      url: "postgres://postgres:s3cret@127.0.0.1:notaport/test",
      message: /not a valid PostgreSQL URL/,
    },
  ])("explains $name without the password or a stack", async ({ url, message }) => {
    const opened = openStore({ url, logger });

    const error: unknown = await opened.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreConfigError);
    expect(error).toHaveProperty("message", expect.stringMatching(message));
    expect(error).not.toHaveProperty("message", expect.stringMatching(/s3cret|\n\s+at /));
  });

  it("opens through openStore, with the schema chosen by the URL's options", async () => {
    const schema = await schemas.create();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);

    const store = await openStore({ url: url.toString(), logger });
    const first = await store.recordDelivery("d", "push");
    await store.close();

    const rows = await adminQuery("SELECT id FROM deliveries", [], schema);
    expect(first).toBe(true);
    expect(rows).toEqual([{ id: "d" }]);
  });

  it("refuses a schema name that would need quoting", async () => {
    const opened = open("Robert'); DROP TABLE jobs;--");

    await expect(opened).rejects.toThrow(StoreConfigError);
  });

  it("never logs the password", async () => {
    const schema = await schemas.create();
    const logs = captureLogs();
    const url = withPassword("s3cret");

    const store = await open(schema, { url, logger: logs.logger });
    await store.recordDelivery("d", "push");

    expect(logs.lines.find((l) => l["msg"] === "store opened")).toMatchObject({
      host: "127.0.0.1",
    });
    expect(JSON.stringify(logs.lines)).not.toContain("s3cret");
  });

  it("keeps working after the server drops its idle connections, and says so safely", async () => {
    const schema = await schemas.create();
    const logs = captureLogs();
    const url = withPassword("s3cret");
    const store = await open(schema, { url, logger: logs.logger, applicationName: schema });

    const killed = await adminQuery(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [schema],
    );
    await logs.waitFor("idle database connection lost", killed.length);

    expect(killed.length).toBeGreaterThan(0);
    expect(await store.recordDelivery("after", "push")).toBe(true);
    expect(JSON.stringify(logs.lines)).not.toContain("s3cret");
    expect(logs.lines.find((l) => l["msg"] === "idle database connection lost")).toMatchObject({
      code: "57P01",
    });
  });
});

describe("PostgresStore data", () => {
  let schema: string;
  let store: PostgresStore;
  beforeEach(async () => {
    schema = await schemas.create();
    store = await open(schema);
    const pipeline = pipelineRecord("p1");
    await store.createPipeline(pipeline, jobsOf(pipeline));
  });

  it("stores a log tail holding NUL, which jsonb refuses, as U+FFFD", async () => {
    const result = jobResult("p1:lint", { logTail: "bin\u0000ary \\u0000 kept" });

    const updated = await store.transitionJob(
      "p1:lint",
      { from: ["pending"], attempt: 1 },
      { state: "completed", result },
    );

    expect(updated?.result?.logTail).toBe("bin\uFFFDary \\u0000 kept");
  });

  it("orders by instant and returns timestamps in UTC", async () => {
    await store.createPipeline(
      pipelineRecord("p0", { createdAt: "2024-05-01T11:00:00+02:00" }),
      [],
    );

    const running = await store.listRunningPipelines();

    expect(running.map((p) => [p.id, p.createdAt])).toEqual([
      ["p0", "2024-05-01T09:00:00.000Z"],
      ["p1", "2024-05-01T10:00:00.000Z"],
    ]);
  });

  it.each([
    { sql: "UPDATE jobs SET state = 'lost'", message: /jobs row "p1:lint" is invalid: state/ },
    { sql: `UPDATE jobs SET external = '[1]'`, message: /external/ },
    { sql: `UPDATE jobs SET spec = '{"key":1}'`, message: /spec\.key/ },
  ])("reports $sql clearly", async ({ sql, message }) => {
    await adminQuery(sql, [], schema);

    const read = store.listJobs("p1");

    await expect(read).rejects.toThrow(StoreDataError);
    await expect(read).rejects.toThrow(message);
  });

  it.each([
    { name: "forgets a delivery after seven days", days: 7.01, fresh: true },
    { name: "remembers a delivery for six days", days: 6, fresh: false },
  ])("$name", async ({ days, fresh }) => {
    let now = Date.parse("2024-05-01T00:00:00.000Z");
    const clocked = await open(schema, { now: () => new Date(now) });
    await clocked.recordDelivery("old", "push");
    now += days * 86_400_000;
    await clocked.recordDelivery("new", "push");

    const again = await clocked.recordDelivery("old", "push");

    expect(again).toBe(fresh);
  });
});
