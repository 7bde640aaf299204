import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DELIVERY_RETENTION_MS,
  MIGRATIONS,
  SqliteStore,
  StoreDataError,
  type Migration,
} from "../../../src/store/index.js";
import { migrateSqlite } from "../../../src/store/sqlite-migrate.js";
import {
  describeStoreContract,
  jobResult,
  jobsOf,
  pipelineRecord,
} from "../../helpers/store-contract.js";

const logger = pino({ level: "silent" });
const dirs: string[] = [];

function tempFile(name = "pylot.db"): string {
  const dir = mkdtempSync(join(tmpdir(), "pylot-store-"));
  dirs.push(dir);
  return join(dir, name);
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeStoreContract("SqliteStore on a temp file", () =>
  Promise.resolve(SqliteStore.open({ path: tempFile(), logger })),
);
describeStoreContract("SqliteStore in memory", () =>
  Promise.resolve(SqliteStore.open({ path: ":memory:", logger })),
);

describe("SqliteStore on disk", () => {
  let path: string;
  beforeEach(() => {
    path = tempFile();
  });

  it("keeps pipelines and jobs across a restart", async () => {
    const pipeline = pipelineRecord("p1", { keys: ["lint", "build"] });
    const first = SqliteStore.open({ path, logger });
    await first.createPipeline(pipeline, jobsOf(pipeline));
    await first.transitionJob("p1:lint", { from: ["pending"], attempt: 1 }, { state: "queued" });
    await first.close();

    const second = SqliteStore.open({ path, logger });
    const running = await second.listRunningPipelines();
    const jobs = await second.listJobs("p1");
    await second.close();

    expect(running).toEqual([pipeline]);
    expect(jobs.map((job) => [job.spec.key, job.state])).toEqual([
      ["lint", "queued"],
      ["build", "pending"],
    ]);
  });

  it("creates the database's folder and uses WAL", async () => {
    const nested = join(tempFile(), "..", "a", "b", "pylot.db");

    await SqliteStore.open({ path: nested, logger }).close();

    const db = new Database(nested);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("runs each migration once across restarts", async () => {
    await SqliteStore.open({ path, logger }).close();
    await SqliteStore.open({ path, logger }).close();

    const db = new Database(path);
    const again = migrateSqlite({ db });
    const versions = db.prepare("SELECT version FROM schema_migrations").pluck().all();
    db.close();

    expect(again).toEqual({ applied: [], unknown: [] });
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it("rolls back every migration of a failed run", () => {
    const db = new Database(path);
    const migrations: Migration[] = [
      { version: 1, name: "good", sql: "CREATE TABLE a (x TEXT)" },
      { version: 2, name: "bad", sql: { sqlite: "CREATE TABLE oops (", postgres: "" } },
    ];

    const run = () => migrateSqlite({ db, migrations });

    expect(run).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    db.close();
    expect(tables).not.toContain("a");
  });

  it.each([
    { name: "duplicate", versions: [1, 1] },
    { name: "decreasing", versions: [2, 1] },
    { name: "zero", versions: [0] },
  ])("refuses a $name migration list", ({ versions }) => {
    const db = new Database(":memory:");
    const migrations = versions.map((version) => ({ version, name: `m${version}`, sql: "" }));

    const run = () => migrateSqlite({ db, migrations });

    expect(run).toThrow(/version/);
    db.close();
  });

  it("opens a database migrated by a newer build, with a warning", async () => {
    await SqliteStore.open({ path, logger }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
    db.close();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });

    const store = SqliteStore.open({ path, logger: pino({ level: "warn" }, sink) });
    await store.close();

    expect(lines.join("")).toContain("database schema is newer than this build");
  });

  it("makes a stale writer on another connection lose the compare-and-set", async () => {
    const pipeline = pipelineRecord("p1");
    const a = SqliteStore.open({ path, logger });
    const b = SqliteStore.open({ path, logger });
    await a.createPipeline(pipeline, jobsOf(pipeline));
    const condition = { from: ["pending" as const], attempt: 1 };

    const won = await a.transitionJob("p1:lint", condition, { state: "queued" });
    const lost = await b.transitionJob("p1:lint", condition, { state: "in_progress" });
    const seen = await b.getJob("p1:lint");
    await Promise.all([a.close(), b.close()]);

    expect(won?.state).toBe("queued");
    expect(lost).toBeUndefined();
    expect(seen?.state).toBe("queued");
  });
});

describe("SqliteStore delivery pruning", () => {
  it.each([
    {
      name: "forgets a delivery after seven days",
      age: DELIVERY_RETENTION_MS + 60_000,
      fresh: true,
    },
    {
      name: "remembers a delivery for six days",
      age: DELIVERY_RETENTION_MS - 86_400_000,
      fresh: false,
    },
  ])("$name", async ({ age, fresh }) => {
    let now = Date.parse("2024-05-01T00:00:00.000Z");
    const store = SqliteStore.open({ path: tempFile(), logger, now: () => new Date(now) });
    await store.recordDelivery("old", "push");
    now += age;
    await store.recordDelivery("new", "push");

    const again = await store.recordDelivery("old", "push");
    await store.close();

    expect(again).toBe(fresh);
  });
});

describe("SqliteStore with corrupt rows", () => {
  let path: string;
  let store: SqliteStore;
  beforeEach(async () => {
    path = tempFile();
    store = SqliteStore.open({ path, logger });
    const pipeline = pipelineRecord("p1");
    await store.createPipeline(pipeline, jobsOf(pipeline));
    await store.transitionJob(
      "p1:lint",
      { from: ["pending"], attempt: 1 },
      { state: "completed", result: jobResult("p1:lint") },
    );
  });
  afterEach(async () => {
    await store.close();
  });

  function corrupt(sql: string): void {
    const db = new Database(path);
    db.prepare(sql).run();
    db.close();
  }

  it.each([
    {
      sql: "UPDATE pipelines SET plan = '{not json'",
      message: /pipelines row "p1" is invalid: plan is not valid JSON/,
    },
    {
      sql: "UPDATE pipelines SET status = 'bogus'",
      message: /pipelines row "p1" is invalid: status/,
    },
    { sql: `UPDATE pipelines SET "trigger" = '{"source":"cli"}'`, message: /trigger\.event/ },
  ])("reports $sql clearly when reading the pipeline", async ({ sql, message }) => {
    corrupt(sql);

    const read = store.getPipeline("p1");

    await expect(read).rejects.toThrow(StoreDataError);
    await expect(read).rejects.toThrow(message);
  });

  it.each([
    { sql: "UPDATE jobs SET state = 'lost'", message: /jobs row "p1:lint" is invalid: state/ },
    { sql: "UPDATE jobs SET result = '{\"jobId\":1}'", message: /result\.jobId/ },
    { sql: "UPDATE jobs SET external = '[1]'", message: /external/ },
    { sql: "UPDATE jobs SET attempt = 0", message: /attempt/ },
  ])("reports $sql clearly when reading the job", async ({ sql, message }) => {
    corrupt(sql);

    const read = store.listJobs("p1");

    await expect(read).rejects.toThrow(StoreDataError);
    await expect(read).rejects.toThrow(message);
  });
});
