import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
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
import { PipelineConflictError, StoreNotFoundError } from "./errors.js";
import { COMMIT_BUILD_PREDICATE, type Migration } from "./migrations.js";
import { decodeJob, decodePipeline, encodeJob, encodePipeline } from "./rows.js";
import { SqliteArtifacts } from "./sqlite-artifacts.js";
import { ChatOpsDelegate } from "./chatops-delegate.js";
import { SqliteChatOps } from "./sqlite-chatops.js";
import { migrateSqlite } from "./sqlite-migrate.js";
import {
  decodeRepository,
  encodeRepository,
  repositoryKey,
  upsertRepositorySql,
} from "./repository-rows.js";

export const MEMORY_PATH = ":memory:";
/** Deliveries older than this are forgotten; GitHub redelivers for far less long. */
export const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface SqliteStoreOptions {
  /** A file path (its folder is created), or ":memory:". */
  readonly path: string;
  readonly logger: Logger;
  /** How long a writer waits for another process's lock before failing. */
  readonly busyTimeoutMs?: number;
  readonly now?: () => Date;
  /** For tests of the migration machinery; defaults to the real list. */
  readonly migrations?: readonly Migration[];
}

type Params = Record<string, string | number | null>;

/** Maps JobPatch fields to columns; anything not listed here cannot reach SQL. */
function jobPatchParams(patch: JobPatch): Params {
  const params: Params = {};
  if (patch.state !== undefined) params["state"] = patch.state;
  if (patch.attempt !== undefined) params["attempt"] = patch.attempt;
  if (patch.conclusion !== undefined) params["conclusion"] = patch.conclusion;
  if (patch.result !== undefined) {
    params["result"] = patch.result === null ? null : JSON.stringify(patch.result);
  }
  if (patch.startedAt !== undefined) params["started_at"] = patch.startedAt;
  if (patch.finishedAt !== undefined) params["finished_at"] = patch.finishedAt;
  if (patch.external !== undefined) params["external"] = JSON.stringify(patch.external);
  return params;
}

function pipelinePatchParams(patch: PipelinePatch, now: Date): Params {
  const params: Params = { updated_at: patch.updatedAt ?? now.toISOString() };
  if (patch.status !== undefined) params["status"] = patch.status;
  if (patch.conclusion !== undefined) params["conclusion"] = patch.conclusion;
  if (patch.cancelReason !== undefined) params["cancel_reason"] = patch.cancelReason;
  return params;
}

/** `a = @a, b = @b` for the given params; column names come from the fixed maps above. */
function setClause(params: Params): string {
  return Object.keys(params)
    .map((column) => `${column} = @${column}`)
    .join(", ");
}

/** Runs the synchronous driver call inside a promise, so its throws become rejections. */
function later<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

const INSERT_PIPELINE = `INSERT INTO pipelines
  (id, repo, pull_request, ref, sha, status, conclusion, "trigger", plan, source, cancel_reason,
   created_at, updated_at)
  VALUES (@id, @repo, @pull_request, @ref, @sha, @status, @conclusion, @trigger, @plan, @source,
   @cancel_reason, @created_at, @updated_at)`;
const INSERT_JOB = `INSERT INTO jobs
  (id, pipeline_id, "key", position, spec, state, attempt, conclusion, result, started_at,
   finished_at, external)
  VALUES (@id, @pipeline_id, @key, @position, @spec, @state, @attempt, @conclusion, @result,
   @started_at, @finished_at, @external)`;
// A second running build of one commit is not inserted: createPipeline reports the conflict.
const INSERT_BUILD = `${INSERT_PIPELINE}
  ON CONFLICT (repo, sha) WHERE ${COMMIT_BUILD_PREDICATE.sqlite} DO NOTHING`;
const RUNNING = "SELECT * FROM pipelines WHERE status = 'running'";
const OLDEST_FIRST = "ORDER BY created_at, id";

/** The embedded Store: one SQLite file in WAL mode, shared safely by several processes. */
export class SqliteStore extends ChatOpsDelegate implements Store {
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  protected readonly chatops: SqliteChatOps;
  readonly artifacts: SqliteArtifacts;

  private constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    super();
    this.chatops = new SqliteChatOps(db);
    this.artifacts = new SqliteArtifacts(db);
  }

  /** Opens (creating when needed) the database and brings its schema up to date. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const logger = options.logger.child({ subsystem: "store" });
    const memory = options.path === MEMORY_PATH;
    if (!memory) mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    try {
      if (!memory) db.pragma("journal_mode = WAL");
      db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      db.pragma("foreign_keys = ON");
      const now = options.now ?? (() => new Date());
      const migrated = migrateSqlite({
        db,
        now,
        ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
      });
      if (migrated.unknown.length > 0) {
        logger.warn({ versions: migrated.unknown }, "database schema is newer than this build");
      }
      logger.info({ path: options.path, applied: migrated.applied }, "store opened");
      return new SqliteStore(db, now);
    } catch (error: unknown) {
      db.close();
      throw error;
    }
  }

  createPipeline(pipeline: PipelineRecord, jobs: readonly JobRecord[]): Promise<void> {
    return later(() => {
      const insertPipeline = this.db.prepare(INSERT_BUILD);
      const insertJob = this.db.prepare(INSERT_JOB);
      this.db.transaction(() => {
        const { changes } = insertPipeline.run(encodePipeline(pipeline));
        if (changes === 0) throw PipelineConflictError.of(pipeline);
        jobs.forEach((job, position) => insertJob.run(encodeJob(job, position)));
      })();
    });
  }

  getPipeline(id: string): Promise<PipelineRecord | undefined> {
    return later(() => {
      const row: unknown = this.db.prepare("SELECT * FROM pipelines WHERE id = ?").get(id);
      return row === undefined ? undefined : decodePipeline(row);
    });
  }

  updatePipeline(id: string, patch: PipelinePatch): Promise<void> {
    return later(() => {
      const params = pipelinePatchParams(patch, this.now());
      const sql = `UPDATE pipelines SET ${setClause(params)} WHERE id = @id`;
      const { changes } = this.db.prepare(sql).run({ ...params, id });
      if (changes === 0) throw new StoreNotFoundError("pipeline", id);
    });
  }

  listRunningPipelines(): Promise<PipelineRecord[]> {
    return this.pipelines(`${RUNNING} ${OLDEST_FIRST}`, {});
  }

  findRunningPipelines(filter: {
    repo: string;
    pullRequest?: number;
    ref?: string;
  }): Promise<PipelineRecord[]> {
    const { repo, pullRequest, ref } = filter;
    if (pullRequest !== undefined) {
      const sql = `${RUNNING} AND repo = @repo AND pull_request = @pr ${OLDEST_FIRST}`;
      return this.pipelines(sql, { repo, pr: pullRequest });
    }
    if (ref !== undefined) {
      // A branch push supersedes earlier pushes of that branch, not the PRs built from it, nor
      // the branch's automatic deploy.
      const sql = `${RUNNING} AND repo = @repo AND ref = @ref AND pull_request IS NULL
        AND json_extract("trigger", '$.event') IS NOT 'deploy' ${OLDEST_FIRST}`;
      return this.pipelines(sql, { repo, ref });
    }
    return this.pipelines(`${RUNNING} AND repo = @repo ${OLDEST_FIRST}`, { repo });
  }

  findPipelineBySha(repo: string, sha: string): Promise<PipelineRecord | undefined> {
    // A deploy pipeline runs a commit too, but it is not the commit's CI pipeline.
    const sql = `SELECT * FROM pipelines WHERE repo = @repo AND sha = @sha
      AND json_extract("trigger", '$.event') IS NOT 'deploy'
      ORDER BY created_at DESC, id DESC LIMIT 1`;
    return this.pipelines(sql, { repo, sha }).then((found) => found[0]);
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return later(() => {
      const row: unknown = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id);
      return row === undefined ? undefined : decodeJob(row);
    });
  }

  listJobs(pipelineId: string): Promise<JobRecord[]> {
    return later(() =>
      this.db
        .prepare("SELECT * FROM jobs WHERE pipeline_id = ? ORDER BY position")
        .all(pipelineId)
        .map(decodeJob),
    );
  }

  transitionJob(
    id: string,
    expect: { readonly from: readonly JobState[]; readonly attempt: number },
    patch: JobPatch,
  ): Promise<JobRecord | undefined> {
    return later(() => {
      if (expect.from.length === 0) return undefined;
      const params = jobPatchParams(patch);
      const states = expect.from.map((_, i) => `@from${i}`).join(", ");
      const fromParams = Object.fromEntries(expect.from.map((state, i) => [`from${i}`, state]));
      // One statement: the condition and the write cannot be separated by another writer.
      const set = Object.keys(params).length === 0 ? "id = id" : setClause(params);
      const sql = `UPDATE jobs SET ${set}
        WHERE id = @id AND attempt = @expectAttempt AND state IN (${states}) RETURNING *`;
      const row: unknown = this.db
        .prepare(sql)
        .get({ ...params, ...fromParams, id, expectAttempt: expect.attempt });
      return row === undefined ? undefined : decodeJob(row);
    });
  }

  setJobExternal(id: string, external: Readonly<Record<string, string>>): Promise<void> {
    return later(() => {
      const merge = this.db.transaction(() => {
        const job = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id);
        if (job === undefined) throw new StoreNotFoundError("job", id);
        const merged = { ...decodeJob(job).external, ...external };
        this.db
          .prepare("UPDATE jobs SET external = ? WHERE id = ?")
          .run(JSON.stringify(merged), id);
      });
      merge.immediate();
    });
  }

  forgetDelivery(id: string): Promise<void> {
    return later(() => {
      this.db.prepare("DELETE FROM deliveries WHERE id = ?").run(id);
    });
  }

  recordDelivery(id: string, event: string): Promise<boolean> {
    return later(() => {
      const now = this.now();
      this.pruneDeliveries(now);
      const { changes } = this.db
        .prepare(
          `INSERT INTO deliveries (id, event, received_at) VALUES (?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run(id, event, now.toISOString());
      return changes === 1;
    });
  }

  latestPipeline(filter: {
    readonly repo: string;
    readonly ref: string;
    readonly completedOnly: boolean;
  }): Promise<PipelineRecord | undefined> {
    const done = filter.completedOnly ? "AND status = 'completed'" : "";
    // A branch's deploy pipeline is not its CI pipeline: badges show the latter.
    const sql = `SELECT * FROM pipelines WHERE repo = @repo AND ref = @ref ${done}
      AND json_extract("trigger", '$.event') IS NOT 'deploy' ORDER BY created_at DESC, id DESC LIMIT 1`;
    return this.pipelines(sql, { repo: filter.repo, ref: filter.ref }).then((found) => found[0]);
  }

  recordRepository(record: RepositoryRecord): Promise<void> {
    return later(() => {
      const [key, name, isPrivate, installation, branch, at] = encodeRepository(record);
      this.db
        .prepare(upsertRepositorySql(() => "?"))
        .run(key, name, isPrivate ? 1 : 0, installation, branch, at);
    });
  }

  getRepository(fullName: string): Promise<RepositoryRecord | undefined> {
    return later(() => {
      const row: unknown = this.db
        .prepare('SELECT * FROM repositories WHERE "key" = ?')
        .get(repositoryKey(fullName));
      return row === undefined ? undefined : decodeRepository(row);
    });
  }

  ping(): Promise<void> {
    return later(() => {
      this.db.prepare("SELECT 1").get();
    });
  }

  close(): Promise<void> {
    return later(() => {
      if (this.db.open) this.db.close();
    });
  }

  /** At most hourly, so the dedupe table stays small without a timer of its own. */
  private pruneDeliveries(now: Date): void {
    if (now.getTime() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now.getTime();
    const cutoff = new Date(now.getTime() - DELIVERY_RETENTION_MS).toISOString();
    this.db.prepare("DELETE FROM deliveries WHERE received_at < ?").run(cutoff);
  }

  private pipelines(sql: string, params: Params): Promise<PipelineRecord[]> {
    return later(() => this.db.prepare(sql).all(params).map(decodePipeline));
  }
}
