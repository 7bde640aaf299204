/**
 * The schema's history, shared by every adapter. Each migration is plain SQL that SQLite and
 * PostgreSQL both accept (quoted identifiers where a word is a keyword somewhere), or a
 * per-dialect pair where the types differ: SQLite keeps JSON as TEXT and timestamps as ISO 8601
 * TEXT; PostgreSQL uses jsonb and timestamptz, and the "C" collation on ids so that ties sort
 * byte-wise as in SQLite. Append only: never edit or renumber an applied migration.
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

const INITIAL_SQLITE = `
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

// Same tables, columns and indexes as INITIAL_SQLITE; only the types differ.
const INITIAL_POSTGRES = `
CREATE TABLE pipelines (
  id TEXT COLLATE "C" PRIMARY KEY,
  repo TEXT,
  pull_request INTEGER,
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  status TEXT NOT NULL,
  conclusion TEXT,
  "trigger" JSONB NOT NULL,
  plan JSONB NOT NULL,
  source JSONB NOT NULL,
  cancel_reason TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE jobs (
  id TEXT COLLATE "C" PRIMARY KEY,
  pipeline_id TEXT COLLATE "C" NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  "key" TEXT NOT NULL,
  position INTEGER NOT NULL,
  spec JSONB NOT NULL,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  conclusion TEXT,
  result JSONB,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  external JSONB NOT NULL,
  UNIQUE (pipeline_id, "key")
);
CREATE TABLE deliveries (
  id TEXT COLLATE "C" PRIMARY KEY,
  event TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pipelines_status_created ON pipelines (status, created_at);
CREATE INDEX pipelines_repo_pr ON pipelines (repo, pull_request, status);
CREATE INDEX pipelines_repo_ref ON pipelines (repo, ref, status);
CREATE INDEX pipelines_repo_sha ON pipelines (repo, sha, created_at);
CREATE INDEX jobs_pipeline_position ON jobs (pipeline_id, position);
CREATE INDEX deliveries_received ON deliveries (received_at);
`;

// Version 1 shipped for SQLite as INITIAL_SQLITE, unchanged here; PostgreSQL starts at it too.
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", sql: { sqlite: INITIAL_SQLITE, postgres: INITIAL_POSTGRES } },
];

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
