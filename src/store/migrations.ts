/**
 * The schema's history, shared by every adapter. Each migration is plain SQL that SQLite and
 * PostgreSQL both accept (TEXT timestamps in ISO 8601, JSON kept as TEXT, quoted identifiers
 * where a word is a keyword somewhere), or a per-dialect pair when that is impossible.
 * Append only: never edit or renumber an applied migration.
 */

export const DIALECTS = ["sqlite", "postgres"] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string | Readonly<Record<Dialect, string>>;
}

/** Created before anything else; records which versions ran and when. */
export const SCHEMA_MIGRATIONS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

const INITIAL = `
CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  repo TEXT,
  pull_request INTEGER,
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  status TEXT NOT NULL,
  conclusion TEXT,
  "trigger" TEXT NOT NULL,
  plan TEXT NOT NULL,
  source TEXT NOT NULL,
  cancel_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  "key" TEXT NOT NULL,
  position INTEGER NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  conclusion TEXT,
  result TEXT,
  started_at TEXT,
  finished_at TEXT,
  external TEXT NOT NULL,
  UNIQUE (pipeline_id, "key")
);
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX pipelines_status_created ON pipelines (status, created_at);
CREATE INDEX pipelines_repo_pr ON pipelines (repo, pull_request, status);
CREATE INDEX pipelines_repo_ref ON pipelines (repo, ref, status);
CREATE INDEX pipelines_repo_sha ON pipelines (repo, sha, created_at);
CREATE INDEX jobs_pipeline_position ON jobs (pipeline_id, position);
CREATE INDEX deliveries_received ON deliveries (received_at);
`;

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: "initial", sql: INITIAL }];

export function migrationSql(migration: Migration, dialect: Dialect): string {
  return typeof migration.sql === "string" ? migration.sql : migration.sql[dialect];
}

/**
 * The migrations still to apply, in order. Throws on a malformed list (duplicate or unordered
 * versions), a programming error that must not reach a database.
 */
export function pendingMigrations(
  migrations: readonly Migration[],
  applied: ReadonlySet<number>,
): Migration[] {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new Error(`Migration "${migration.name}" has an invalid version ${migration.version}`);
    }
    if (previous !== undefined && previous.version >= migration.version) {
      throw new Error(
        `Migration versions must increase: ${migration.version} after ${previous.version}`,
      );
    }
  });
  return migrations.filter((migration) => !applied.has(migration.version));
}
