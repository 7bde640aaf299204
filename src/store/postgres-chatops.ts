import type { Pool, QueryResultRow } from "pg";
import type { DeploymentRecord, EnvLock } from "../deploy/types.js";
import type { DeployFinishClaim, DeployRun, OpenDeployRun, TestApproval } from "../engine/ports.js";
import {
  type ChatOpsStore,
  decodeApproval,
  decodeDeployRun,
  decodeDeployment,
  decodeLock,
  decodeOpenDeployRun,
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

/** Unfinished runs with the newest deploy pipeline whose deploy step names their deployment. */
const OPEN_RUNS = `SELECT r.repo, r.deployment_id, r.run, (
    SELECT p.id FROM pipelines AS p
    WHERE p.repo = r.repo AND p.sha = r.run->'plan'->>'sha' AND p."trigger"->>'event' = 'deploy'
      AND p.plan @> jsonb_build_object('jobs', jsonb_build_array(jsonb_build_object('steps',
        jsonb_build_array(jsonb_build_object('deploymentId', r.deployment_id)))))
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS pipeline_id
  FROM deploy_runs AS r WHERE r.finished_at IS NULL ORDER BY r.created_at, r.deployment_id`;

/**
 * Free when nobody claimed the run, the claim is the caller's own, or it lapsed. A concurrent
 * claimer waits for this row's lock, then sees the new claim and updates nothing.
 */
const CLAIM = `UPDATE deploy_runs
  SET run = jsonb_set(run, '{finishing}', jsonb_build_object('holder', $3::text, 'until', $4::text))
  WHERE repo = $1 AND deployment_id = $2 AND ($6::boolean = false OR finished_at IS NULL)
    AND (run->'finishing'->>'holder' IS NULL OR run->'finishing'->>'holder' = $3::text
      OR (run->'finishing'->>'until')::timestamptz < $5::timestamptz)`;

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

  async listOpenDeployRuns(): Promise<OpenDeployRun[]> {
    return (await this.rows(OPEN_RUNS, [])).map(decodeOpenDeployRun);
  }

  async claimDeployFinish(
    repo: string,
    deploymentId: number,
    claim: DeployFinishClaim,
  ): Promise<boolean> {
    const result = await this.pool.query(CLAIM, [
      repo,
      deploymentId,
      claim.holder,
      claim.until,
      claim.now,
      claim.openOnly,
    ]);
    return result.rowCount === 1;
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
