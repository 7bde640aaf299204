import type { Pool, QueryResultRow } from "pg";
import type { DeploymentRecord, EnvLock } from "../deploy/types.js";
import type { DeployRun, TestApproval } from "../engine/ports.js";
import {
  type ChatOpsStore,
  decodeApproval,
  decodeDeployRun,
  decodeDeployment,
  decodeLock,
  encodeApproval,
  encodeDeployRun,
  encodeDeployment,
  encodeLock,
} from "./chatops-rows.js";
import { inTransaction } from "./postgres-pool.js";
import { jsonbText } from "./postgres-rows.js";

type Param = string | number | null;

const LOCK_COLUMNS = ["repo", "environment", "pull_request", "actor", "reason", "since"] as const;
const DEPLOYMENT_COLUMNS = [
  "repo",
  "id",
  "environment",
  "sha",
  "state",
  "created_at",
  "creator",
  "task",
  "actor",
  "pull_request",
  "rollback_from",
] as const;
const NEWEST_FIRST = "ORDER BY created_at DESC, id DESC";

function values(row: Record<string, Param>, columns: readonly string[]): Param[] {
  return columns.map((column) => row[column] ?? null);
}

function placeholders(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(", ");
}

/**
 * The ChatOps methods on PostgreSQL. Each race (two replicas locking one environment, or
 * starting two deployments of it) is decided by a unique index inside one INSERT: the loser's
 * insert waits for the winner's commit, then does nothing.
 */
export class PostgresChatOps implements ChatOpsStore {
  constructor(private readonly pool: Pool) {}

  async getLock(repo: string, env: string): Promise<EnvLock | undefined> {
    const rows = await this.rows("SELECT * FROM env_locks WHERE repo = $1 AND environment = $2", [
      repo,
      env,
    ]);
    return rows[0] === undefined ? undefined : decodeLock(rows[0]);
  }

  async listLocks(repo: string): Promise<EnvLock[]> {
    const rows = await this.rows("SELECT * FROM env_locks WHERE repo = $1 ORDER BY environment", [
      repo,
    ]);
    return rows.map(decodeLock);
  }

  async acquireLock(repo: string, lock: EnvLock): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO env_locks (${LOCK_COLUMNS.join(", ")}) VALUES (${placeholders(6)})
       ON CONFLICT (repo, environment) DO NOTHING`,
      values(encodeLock(repo, lock), LOCK_COLUMNS),
    );
    return result.rowCount === 1;
  }

  async releaseLock(repo: string, lock: EnvLock): Promise<boolean> {
    const result = await this.pool.query(
      `DELETE FROM env_locks WHERE repo = $1 AND environment = $2 AND pull_request = $3
       AND since = $4`,
      [repo, lock.env, lock.pr, lock.since],
    );
    return result.rowCount === 1;
  }

  async saveDeployments(repo: string, records: readonly DeploymentRecord[]): Promise<void> {
    if (records.length === 0) return;
    const width = DEPLOYMENT_COLUMNS.length;
    const tuples = records.map((_, i) => `(${placeholders(width, i * width + 1)})`);
    await this.pool.query(
      `INSERT INTO deployments (${DEPLOYMENT_COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}
       ON CONFLICT (repo, id) DO UPDATE SET state = excluded.state`,
      records.flatMap((record) => values(encodeDeployment(repo, record), DEPLOYMENT_COLUMNS)),
    );
  }

  async listDeployments(repo: string, environment?: string): Promise<DeploymentRecord[]> {
    const rows =
      environment === undefined
        ? await this.rows(`SELECT * FROM deployments WHERE repo = $1 ${NEWEST_FIRST}`, [repo])
        : await this.rows(
            `SELECT * FROM deployments WHERE repo = $1 AND environment = $2 ${NEWEST_FIRST}`,
            [repo, environment],
          );
    return rows.map(decodeDeployment);
  }

  startDeployRun(run: DeployRun, options: { readonly staleBefore: string }): Promise<boolean> {
    const row = encodeDeployRun(run);
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `UPDATE deploy_runs SET finished_at = $3 WHERE repo = $1 AND environment = $2
         AND finished_at IS NULL AND created_at < $4`,
        [run.repo, run.plan.env, run.createdAt, options.staleBefore],
      );
      // A lock of another pull request (any lock, for a run of none) refuses the claim.
      const inserted = await client.query(
        `INSERT INTO deploy_runs (repo, deployment_id, environment, run, created_at)
         SELECT $1::text, $2::bigint, $3::text, $4::jsonb, $5::timestamptz
         WHERE NOT EXISTS (SELECT 1 FROM env_locks WHERE repo = $1 AND environment = $3
           AND ($6::integer IS NULL OR pull_request <> $6::integer))
         ON CONFLICT DO NOTHING`,
        [
          run.repo,
          run.deploymentId,
          run.plan.env,
          jsonbText(String(row["run"])),
          run.createdAt,
          run.plan.pr ?? null,
        ],
      );
      return inserted.rowCount === 1;
    });
  }

  async getDeployRun(repo: string, deploymentId: number): Promise<DeployRun | undefined> {
    const rows = await this.rows(
      "SELECT * FROM deploy_runs WHERE repo = $1 AND deployment_id = $2",
      [repo, deploymentId],
    );
    return rows[0] === undefined ? undefined : decodeDeployRun(rows[0]);
  }

  async finishDeployRun(repo: string, deploymentId: number, at: string): Promise<void> {
    await this.pool.query(
      `UPDATE deploy_runs SET finished_at = $3
       WHERE repo = $1 AND deployment_id = $2 AND finished_at IS NULL`,
      [repo, deploymentId, at],
    );
  }

  async recordApproval(approval: TestApproval): Promise<void> {
    const columns = ["repo", "pull_request", "sha", "actor", "approved_at"];
    await this.pool.query(
      `INSERT INTO test_approvals (${columns.join(", ")}) VALUES (${placeholders(5)})
       ON CONFLICT (repo, pull_request, sha) DO NOTHING`,
      values(encodeApproval(approval), columns),
    );
  }

  async findApproval(repo: string, pr: number, sha: string): Promise<TestApproval | undefined> {
    const rows = await this.rows(
      "SELECT * FROM test_approvals WHERE repo = $1 AND pull_request = $2 AND sha = $3",
      [repo, pr, sha],
    );
    return rows[0] === undefined ? undefined : decodeApproval(rows[0]);
  }

  private async rows(sql: string, params: readonly Param[]): Promise<QueryResultRow[]> {
    const result = await this.pool.query<QueryResultRow>(sql, [...params]);
    return result.rows;
  }
}
