import type { Pool, QueryResultRow } from "pg";
import type { Logger } from "pino";
import type {
  JobPatch,
  JobRecord,
  JobState,
  PipelinePatch,
  PipelineRecord,
  RepositoryRecord,
  Store,
} from "../engine/ports.js";
import { parsePostgresUrl } from "./database-url.js";
import { PipelineConflictError, StoreNotFoundError } from "./errors.js";
import { COMMIT_BUILD_PREDICATE, type Migration } from "./migrations.js";
import { PostgresArtifacts } from "./postgres-artifacts.js";
import { ChatOpsDelegate } from "./chatops-delegate.js";
import { PostgresChatOps } from "./postgres-chatops.js";
import { migratePostgres } from "./postgres-migrate.js";
import { connectionError, createPool, failureReason, inTransaction } from "./postgres-pool.js";
import {
  decodeJob,
  decodePipeline,
  encodeJob,
  encodePipeline,
  jobPatchColumns,
  jsonbText,
  pipelinePatchColumns,
  type Columns,
} from "./postgres-rows.js";
import { DELIVERY_RETENTION_MS } from "./sqlite.js";
import {
  decodeRepository,
  encodeRepository,
  repositoryKey,
  upsertRepositorySql,
} from "./repository-rows.js";

const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface PostgresStoreOptions {
  /** A `postgres://` or `postgresql://` URL; its password never reaches a log or an error. */
  readonly url: string;
  readonly logger: Logger;
  /** Keep the tables in this schema (created when missing), as tests do; else the default. */
  readonly schema?: string;
  /** Connections per replica; default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Shown in `pg_stat_activity`; default "pylot". */
  readonly applicationName?: string;
  readonly now?: () => Date;
  /** For tests of the migration machinery; defaults to the real list. */
  readonly migrations?: readonly Migration[];
}

type Param = string | number | null | readonly string[];

const PIPELINE_COLUMNS = [
  "id",
  "repo",
  "pull_request",
  "ref",
  "sha",
  "status",
  "conclusion",
  "trigger",
  "plan",
  "source",
  "cancel_reason",
  "created_at",
  "updated_at",
] as const;
const JOB_COLUMNS = [
  "id",
  "pipeline_id",
  "key",
  "position",
  "spec",
  "state",
  "attempt",
  "conclusion",
  "result",
  "started_at",
  "finished_at",
  "external",
] as const;

/** `"a" = $3, "b" = $4` for the given columns, numbering from `first`. */
function setClause(columns: Columns, first: number): string {
  return Object.keys(columns)
    .map((column, i) => `"${column}" = $${first + i}`)
    .join(", ");
}

/** `INSERT INTO table (…) VALUES ($1, …), (…)` with one row of parameters per record. */
function insertSql(table: string, columns: readonly string[], rows: number): string {
  const names = columns.map((column) => `"${column}"`).join(", ");
  const tuples = Array.from({ length: rows }, (_, row) => {
    const params = columns.map((_, col) => `$${row * columns.length + col + 1}`);
    return `(${params.join(", ")})`;
  });
  return `INSERT INTO ${table} (${names}) VALUES ${tuples.join(", ")}`;
}

// A second running build of one commit is not inserted: createPipeline reports the conflict.
const ONE_BUILD_PER_COMMIT = `ON CONFLICT (repo, sha) WHERE ${COMMIT_BUILD_PREDICATE.postgres}
  DO NOTHING`;
const RUNNING = "SELECT * FROM pipelines WHERE status = 'running'";
const OLDEST_FIRST = "ORDER BY created_at, id";

/**
 * The shared Store: any number of replicas on one PostgreSQL database. Every guarantee that
 * must hold across replicas is one statement (or one transaction) in the database.
 */
export class PostgresStore extends ChatOpsDelegate implements Store {
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  private closing: Promise<void> | undefined;
  protected readonly chatops: PostgresChatOps;
  readonly artifacts: PostgresArtifacts;

  private constructor(
    private readonly pool: Pool,
    private readonly now: () => Date,
  ) {
    super();
    this.chatops = new PostgresChatOps(pool);
    this.artifacts = new PostgresArtifacts(pool);
  }

  /** Connects, then brings the schema up to date; a StoreConfigError says why it could not. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const target = parsePostgresUrl(options.url);
    const logger = options.logger.child({ subsystem: "store" });
    const where = { host: target.host, port: target.port, database: target.database };
    const pool = createPool(options);
    // Without a listener, an idle connection dropped by the server would crash the process.
    pool.on("error", (error) => {
      const { code, text } = failureReason(error);
      logger.warn({ ...where, code, reason: text }, "idle database connection lost");
    });
    try {
      const client = await pool.connect().catch((error: unknown) => {
        throw connectionError(target, error);
      });
      client.release();
      const now = options.now ?? (() => new Date());
      const migrated = await migratePostgres({
        pool,
        schema: options.schema,
        now,
        ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
      });
      if (migrated.unknown.length > 0) {
        logger.warn({ versions: migrated.unknown }, "database schema is newer than this build");
      }
      logger.info({ ...where, schema: options.schema, applied: migrated.applied }, "store opened");
      return new PostgresStore(pool, now);
    } catch (error: unknown) {
      await pool.end();
      throw error;
    }
  }

  async createPipeline(pipeline: PipelineRecord, jobs: readonly JobRecord[]): Promise<void> {
    const row = encodePipeline(pipeline);
    const jobRows = jobs.map((job, position) => encodeJob(job, position));
    await inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `${insertSql("pipelines", PIPELINE_COLUMNS, 1)} ${ONE_BUILD_PER_COMMIT}`,
        PIPELINE_COLUMNS.map((column) => row[column] ?? null),
      );
      if (inserted.rowCount === 0) throw PipelineConflictError.of(pipeline);
      if (jobRows.length === 0) return;
      await client.query(
        insertSql("jobs", JOB_COLUMNS, jobRows.length),
        jobRows.flatMap((job) => JOB_COLUMNS.map((column) => job[column] ?? null)),
      );
    });
  }

  async getPipeline(id: string): Promise<PipelineRecord | undefined> {
    const rows = await this.rows("SELECT * FROM pipelines WHERE id = $1", [id]);
    return rows[0] === undefined ? undefined : decodePipeline(rows[0]);
  }

  async updatePipeline(id: string, patch: PipelinePatch): Promise<void> {
    const columns = pipelinePatchColumns(patch, this.now());
    const sql = `UPDATE pipelines SET ${setClause(columns, 2)} WHERE id = $1`;
    const result = await this.pool.query(sql, [id, ...Object.values(columns)]);
    if (result.rowCount === 0) throw new StoreNotFoundError("pipeline", id);
  }

  listRunningPipelines(): Promise<PipelineRecord[]> {
    return this.pipelines(`${RUNNING} ${OLDEST_FIRST}`, []);
  }

  findRunningPipelines(filter: {
    repo: string;
    pullRequest?: number;
    ref?: string;
  }): Promise<PipelineRecord[]> {
    const { repo, pullRequest, ref } = filter;
    if (pullRequest !== undefined) {
      const sql = `${RUNNING} AND repo = $1 AND pull_request = $2 ${OLDEST_FIRST}`;
      return this.pipelines(sql, [repo, pullRequest]);
    }
    if (ref !== undefined) {
      // A branch push supersedes earlier pushes of that branch, not the PRs built from it, nor
      // the branch's automatic deploy.
      const sql = `${RUNNING} AND repo = $1 AND ref = $2 AND pull_request IS NULL
        AND "trigger"->>'event' IS DISTINCT FROM 'deploy' ${OLDEST_FIRST}`;
      return this.pipelines(sql, [repo, ref]);
    }
    return this.pipelines(`${RUNNING} AND repo = $1 ${OLDEST_FIRST}`, [repo]);
  }

  async findPipelineBySha(repo: string, sha: string): Promise<PipelineRecord | undefined> {
    // A deploy pipeline runs a commit too, but it is not the commit's CI pipeline.
    const sql = `SELECT * FROM pipelines WHERE repo = $1 AND sha = $2
      AND "trigger"->>'event' IS DISTINCT FROM 'deploy'
      ORDER BY created_at DESC, id DESC LIMIT 1`;
    const found = await this.pipelines(sql, [repo, sha]);
    return found[0];
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const rows = await this.rows("SELECT * FROM jobs WHERE id = $1", [id]);
    return rows[0] === undefined ? undefined : decodeJob(rows[0]);
  }

  async listJobs(pipelineId: string): Promise<JobRecord[]> {
    const sql = "SELECT * FROM jobs WHERE pipeline_id = $1 ORDER BY position";
    return (await this.rows(sql, [pipelineId])).map(decodeJob);
  }

  async transitionJob(
    id: string,
    expect: { readonly from: readonly JobState[]; readonly attempt: number },
    patch: JobPatch,
  ): Promise<JobRecord | undefined> {
    if (expect.from.length === 0) return undefined;
    const columns = jobPatchColumns(patch);
    const set = Object.keys(columns).length === 0 ? "state = state" : setClause(columns, 4);
    // One statement: a concurrent writer's UPDATE waits on the row lock, then re-checks this
    // WHERE against the row it committed, so exactly one of two racing transitions matches.
    const sql = `UPDATE jobs SET ${set}
      WHERE id = $1 AND attempt = $2 AND state = ANY($3::text[]) RETURNING *`;
    const rows = await this.rows(sql, [id, expect.attempt, expect.from, ...Object.values(columns)]);
    return rows[0] === undefined ? undefined : decodeJob(rows[0]);
  }

  async setJobExternal(id: string, external: Readonly<Record<string, string>>): Promise<void> {
    // jsonb || merges in the database, so replicas adding different keys do not lose any.
    const sql = "UPDATE jobs SET external = external || $2::jsonb WHERE id = $1";
    const result = await this.pool.query(sql, [id, jsonbText(JSON.stringify(external))]);
    if (result.rowCount === 0) throw new StoreNotFoundError("job", id);
  }

  async forgetDelivery(id: string): Promise<void> {
    await this.pool.query("DELETE FROM deliveries WHERE id = $1", [id]);
  }

  async recordDelivery(id: string, event: string): Promise<boolean> {
    const now = this.now();
    await this.pruneDeliveries(now);
    const result = await this.pool.query(
      `INSERT INTO deliveries (id, event, received_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, event, now.toISOString()],
    );
    return result.rowCount === 1;
  }

  async latestPipeline(filter: {
    readonly repo: string;
    readonly ref: string;
    readonly completedOnly: boolean;
  }): Promise<PipelineRecord | undefined> {
    const done = filter.completedOnly ? "AND status = 'completed'" : "";
    // A branch's deploy pipeline is not its CI pipeline: badges show the latter.
    const sql = `SELECT * FROM pipelines WHERE repo = $1 AND ref = $2 ${done}
      AND "trigger"->>'event' IS DISTINCT FROM 'deploy' ORDER BY created_at DESC, id DESC LIMIT 1`;
    const found = await this.pipelines(sql, [filter.repo, filter.ref]);
    return found[0];
  }

  async recordRepository(record: RepositoryRecord): Promise<void> {
    const sql = upsertRepositorySql((n) => `$${n}`);
    await this.pool.query(sql, encodeRepository(record));
  }

  async getRepository(fullName: string): Promise<RepositoryRecord | undefined> {
    const rows = await this.rows('SELECT * FROM repositories WHERE "key" = $1', [
      repositoryKey(fullName),
    ]);
    return rows[0] === undefined ? undefined : decodeRepository(rows[0]);
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  /** Idempotent: later calls wait for the first. */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  /** At most hourly per replica, so the dedupe table stays small without a timer of its own. */
  private async pruneDeliveries(now: Date): Promise<void> {
    if (now.getTime() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now.getTime();
    const cutoff = new Date(now.getTime() - DELIVERY_RETENTION_MS).toISOString();
    await this.pool.query("DELETE FROM deliveries WHERE received_at < $1", [cutoff]);
  }

  private async rows(sql: string, params: readonly Param[]): Promise<QueryResultRow[]> {
    const result = await this.pool.query<QueryResultRow>(sql, [...params]);
    return result.rows;
  }

  private async pipelines(sql: string, params: readonly Param[]): Promise<PipelineRecord[]> {
    return (await this.rows(sql, params)).map(decodePipeline);
  }
}
