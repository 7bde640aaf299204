import type Database from "better-sqlite3";
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

/** Runs the synchronous driver call inside a promise, so its throws become rejections. */
function later<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

const NEWEST_FIRST = "ORDER BY created_at DESC, id DESC";

/** A lock of the environment held by another pull request (by any, for a run of none). */
const LOCKED_BY_OTHERS = `SELECT 1 FROM env_locks WHERE repo = @repo AND environment = @environment
  AND (@pr IS NULL OR pull_request <> @pr)`;

/** Unfinished runs with the newest deploy pipeline whose deploy step names their deployment. */
const OPEN_RUNS = `SELECT r.repo, r.deployment_id, r.run, (
    SELECT p.id FROM pipelines AS p, json_each(p.plan, '$.jobs') AS j,
      json_each(j.value, '$.steps') AS s
    WHERE p.repo = r.repo AND p.sha = json_extract(r.run, '$.plan.sha')
      AND json_extract(p."trigger", '$.event') = 'deploy'
      AND json_extract(s.value, '$.deploymentId') = r.deployment_id
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS pipeline_id
  FROM deploy_runs AS r WHERE r.finished_at IS NULL ORDER BY r.created_at, r.deployment_id`;

/** Free when nobody claimed the run, the claim is the caller's own, or it lapsed. */
const CLAIM = `UPDATE deploy_runs
  SET run = json_set(run, '$.finishing', json_object('holder', @holder, 'until', @until))
  WHERE repo = @repo AND deployment_id = @deployment_id
    AND (@open_only = 0 OR finished_at IS NULL)
    AND (json_extract(run, '$.finishing.holder') IS NULL
      OR json_extract(run, '$.finishing.holder') = @holder
      OR json_extract(run, '$.finishing.until') < @now)`;

/**
 * SQLite has one writer at a time, so each conditional statement below is atomic across the
 * processes sharing the file; the unique indexes make the conditions hold even so.
 */
export class SqliteChatOps implements ChatOpsStore {
  constructor(private readonly db: Database.Database) {}

  getLock(repo: string, env: string): Promise<EnvLock | undefined> {
    return later(() => {
      const row: unknown = this.db
        .prepare("SELECT * FROM env_locks WHERE repo = ? AND environment = ?")
        .get(repo, env);
      return row === undefined ? undefined : decodeLock(row);
    });
  }

  listLocks(repo: string): Promise<EnvLock[]> {
    return later(() =>
      this.db
        .prepare("SELECT * FROM env_locks WHERE repo = ? ORDER BY environment")
        .all(repo)
        .map(decodeLock),
    );
  }

  acquireLock(repo: string, lock: EnvLock): Promise<boolean> {
    return later(() => {
      const { changes } = this.db
        .prepare(
          `INSERT INTO env_locks (repo, environment, pull_request, actor, reason, since)
           VALUES (@repo, @environment, @pull_request, @actor, @reason, @since)
           ON CONFLICT (repo, environment) DO NOTHING`,
        )
        .run(encodeLock(repo, lock));
      return changes === 1;
    });
  }

  releaseLock(repo: string, lock: EnvLock): Promise<boolean> {
    return later(() => {
      const { changes } = this.db
        .prepare(
          `DELETE FROM env_locks WHERE repo = @repo AND environment = @environment
           AND pull_request = @pull_request AND since = @since`,
        )
        .run({ repo, environment: lock.env, pull_request: lock.pr, since: lock.since });
      return changes === 1;
    });
  }

  saveDeployments(repo: string, records: readonly DeploymentRecord[]): Promise<void> {
    return later(() => {
      const upsert = this.db.prepare(
        `INSERT INTO deployments (repo, id, environment, sha, state, created_at, creator, task,
           actor, pull_request, rollback_from)
         VALUES (@repo, @id, @environment, @sha, @state, @created_at, @creator, @task, @actor,
           @pull_request, @rollback_from)
         ON CONFLICT (repo, id) DO UPDATE SET state = excluded.state`,
      );
      this.db.transaction(() => {
        for (const record of records) upsert.run(encodeDeployment(repo, record));
      })();
    });
  }

  listDeployments(repo: string, environment?: string): Promise<DeploymentRecord[]> {
    return later(() => {
      const rows =
        environment === undefined
          ? this.db.prepare(`SELECT * FROM deployments WHERE repo = ? ${NEWEST_FIRST}`).all(repo)
          : this.db
              .prepare(
                `SELECT * FROM deployments WHERE repo = ? AND environment = ? ${NEWEST_FIRST}`,
              )
              .all(repo, environment);
      return rows.map(decodeDeployment);
    });
  }

  startDeployRun(run: DeployRun, options: { readonly staleBefore: string }): Promise<boolean> {
    return later(() => {
      const row = encodeDeployRun(run);
      const claim = this.db.transaction(() => {
        this.db
          .prepare(
            `UPDATE deploy_runs SET finished_at = @now WHERE repo = @repo
             AND environment = @environment AND finished_at IS NULL AND created_at < @stale`,
          )
          .run({
            repo: run.repo,
            environment: run.plan.env,
            now: run.createdAt,
            stale: options.staleBefore,
          });
        return this.db
          .prepare(
            `INSERT INTO deploy_runs (repo, deployment_id, environment, run, created_at)
             SELECT @repo, @deployment_id, @environment, @run, @created_at
             WHERE NOT EXISTS (${LOCKED_BY_OTHERS})
             ON CONFLICT DO NOTHING`,
          )
          .run({ ...row, pr: run.plan.pr ?? null }).changes;
      });
      return claim.immediate() === 1;
    });
  }

  getDeployRun(repo: string, deploymentId: number): Promise<DeployRun | undefined> {
    return later(() => {
      const row: unknown = this.db
        .prepare("SELECT * FROM deploy_runs WHERE repo = ? AND deployment_id = ?")
        .get(repo, deploymentId);
      return row === undefined ? undefined : decodeDeployRun(row);
    });
  }

  finishDeployRun(repo: string, deploymentId: number, at: string): Promise<void> {
    return later(() => {
      this.db
        .prepare(
          `UPDATE deploy_runs SET finished_at = ?
           WHERE repo = ? AND deployment_id = ? AND finished_at IS NULL`,
        )
        .run(at, repo, deploymentId);
    });
  }

  listOpenDeployRuns(): Promise<OpenDeployRun[]> {
    return later(() => this.db.prepare(OPEN_RUNS).all().map(decodeOpenDeployRun));
  }

  claimDeployFinish(
    repo: string,
    deploymentId: number,
    claim: DeployFinishClaim,
  ): Promise<boolean> {
    return later(() => {
      const { changes } = this.db.prepare(CLAIM).run({
        repo,
        deployment_id: deploymentId,
        holder: claim.holder,
        now: claim.now,
        until: claim.until,
        open_only: claim.openOnly ? 1 : 0,
      });
      return changes === 1;
    });
  }

  recordApproval(approval: TestApproval): Promise<void> {
    return later(() => {
      this.db
        .prepare(
          `INSERT INTO test_approvals (repo, pull_request, sha, actor, approved_at)
           VALUES (@repo, @pull_request, @sha, @actor, @approved_at)
           ON CONFLICT (repo, pull_request, sha) DO NOTHING`,
        )
        .run(encodeApproval(approval));
    });
  }

  findApproval(repo: string, pr: number, sha: string): Promise<TestApproval | undefined> {
    return later(() => {
      const row: unknown = this.db
        .prepare("SELECT * FROM test_approvals WHERE repo = ? AND pull_request = ? AND sha = ?")
        .get(repo, pr, sha);
      return row === undefined ? undefined : decodeApproval(row);
    });
  }
}
