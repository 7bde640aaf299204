import type { Pool, PoolClient } from "pg";
import {
  MIGRATIONS,
  SCHEMA_MIGRATIONS_TABLE_SQL,
  migrationSql,
  pendingMigrations,
  type Migration,
} from "./migrations.js";
import { checkSchemaName, inTransaction } from "./postgres-pool.js";

export interface PostgresMigrateOptions {
  /** Connections whose search_path names the target schema (see createPool). */
  readonly pool: Pool;
  /** Created when missing; undefined means the first schema of the server's search_path. */
  readonly schema?: string | undefined;
  readonly migrations?: readonly Migration[];
  readonly now?: () => Date;
}

export interface PostgresMigrateOutcome {
  /** Versions applied by this call, in order; empty when the schema was current. */
  readonly applied: readonly number[];
  /** Versions in the database that this build does not know (a newer build migrated it). */
  readonly unknown: readonly number[];
}

/** First key of our advisory locks ("pylo"), so they do not collide with another app's. */
const LOCK_NAMESPACE = 0x70796c6f;

/**
 * Applies pending migrations in one transaction under an advisory lock on the schema, so
 * replicas starting together apply each migration once (the others wait, then find nothing to
 * do), and a failing migration leaves nothing behind: PostgreSQL's DDL is transactional.
 */
export function migratePostgres(options: PostgresMigrateOptions): Promise<PostgresMigrateOutcome> {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? (() => new Date());
  if (options.schema !== undefined) checkSchemaName(options.schema);
  return inTransaction(options.pool, async (client) => {
    // Transaction-scoped: released by COMMIT or ROLLBACK, and by the server if we die.
    await client.query(
      "SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2::text, current_schema(), '')))",
      [LOCK_NAMESPACE, options.schema ?? null],
    );
    if (options.schema !== undefined) await ensureSchema(client, options.schema);
    await client.query(SCHEMA_MIGRATIONS_TABLE_SQL);
    const rows = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done = new Set(rows.rows.map((row) => row.version));
    const known = new Set(migrations.map((m) => m.version));
    const applied: number[] = [];
    for (const migration of pendingMigrations(migrations, done)) {
      await client.query(migrationSql(migration, "postgres"));
      await client.query(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        [migration.version, migration.name, now().toISOString()],
      );
      applied.push(migration.version);
    }
    return { applied, unknown: [...done].filter((v) => !known.has(v)) };
  });
}

/** Creates the schema only when missing: CREATE needs a privilege that using it does not. */
async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  const found = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
  if (found.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
}
