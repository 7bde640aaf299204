import type Database from "better-sqlite3";
import {
  MIGRATIONS,
  SCHEMA_MIGRATIONS_TABLE_SQL,
  migrationSql,
  pendingMigrations,
  type Migration,
} from "./migrations.js";

export interface SqliteMigrateOptions {
  readonly db: Database.Database;
  readonly migrations?: readonly Migration[];
  readonly now?: () => Date;
}

export interface SqliteMigrateOutcome {
  /** Versions applied by this call, in order; empty when the schema was current. */
  readonly applied: readonly number[];
  /** Versions in the database that this build does not know (a newer build migrated it). */
  readonly unknown: readonly number[];
}

/**
 * Applies pending migrations in one IMMEDIATE transaction, so two processes opening the same
 * file at once cannot both apply a migration, and a failing migration leaves nothing behind.
 */
export function migrateSqlite(options: SqliteMigrateOptions): SqliteMigrateOutcome {
  const { db } = options;
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? (() => new Date());
  const run = db.transaction((): SqliteMigrateOutcome => {
    db.exec(SCHEMA_MIGRATIONS_TABLE_SQL);
    const rows = db.prepare("SELECT version FROM schema_migrations").pluck().all();
    const done = new Set(rows.filter((v): v is number => typeof v === "number"));
    const known = new Set(migrations.map((m) => m.version));
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    const applied: number[] = [];
    for (const migration of pendingMigrations(migrations, done)) {
      db.exec(migrationSql(migration, "sqlite"));
      record.run(migration.version, migration.name, now().toISOString());
      applied.push(migration.version);
    }
    return { applied, unknown: [...done].filter((v) => !known.has(v)) };
  });
  return run.immediate();
}
