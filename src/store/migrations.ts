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

/**
 * ChatOps (issue 5): environment locks, the mirror of GitHub deployments, the deployments Pylot
 * runs (the partial unique index allows one unfinished run per environment), and `/ok-to-test`
 * approvals bound to a commit.
 */
function chatopsTables(types: { id: string; time: string; json: string; key: string }): string {
  const { id, time, json, key } = types;
  return `
CREATE TABLE env_locks (
  repo TEXT ${key} NOT NULL,
  environment TEXT ${key} NOT NULL,
  pull_request INTEGER NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT,
  since ${time} NOT NULL,
  PRIMARY KEY (repo, environment)
);
CREATE TABLE deployments (
  repo TEXT ${key} NOT NULL,
  id ${id} NOT NULL,
  environment TEXT ${key} NOT NULL,
  sha TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at ${time} NOT NULL,
  creator TEXT NOT NULL,
  task TEXT NOT NULL,
  actor TEXT,
  pull_request INTEGER,
  rollback_from ${id},
  PRIMARY KEY (repo, id)
);
CREATE TABLE deploy_runs (
  repo TEXT ${key} NOT NULL,
  deployment_id ${id} NOT NULL,
  environment TEXT ${key} NOT NULL,
  run ${json} NOT NULL,
  created_at ${time} NOT NULL,
  finished_at ${time},
  PRIMARY KEY (repo, deployment_id)
);
CREATE TABLE test_approvals (
  repo TEXT ${key} NOT NULL,
  pull_request INTEGER NOT NULL,
  sha TEXT ${key} NOT NULL,
  actor TEXT NOT NULL,
  approved_at ${time} NOT NULL,
  PRIMARY KEY (repo, pull_request, sha)
);
CREATE INDEX deployments_repo_environment ON deployments (repo, environment, created_at);
CREATE UNIQUE INDEX deploy_runs_one_per_environment ON deploy_runs (repo, environment)
  WHERE finished_at IS NULL;
`;
}

// Version 3: what webhooks said about repositories (badges: visibility, installation, default
// branch), keyed by the lower-cased full name since GitHub's names are case-insensitive; and an
// index for "the newest pipeline of a branch".
const REPOSITORIES_SQLITE = `
CREATE TABLE repositories (
  "key" TEXT PRIMARY KEY,
  full_name TEXT NOT NULL,
  private INTEGER NOT NULL,
  installation_id INTEGER,
  default_branch TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX pipelines_repo_ref_created ON pipelines (repo, ref, created_at);
`;
const REPOSITORIES_POSTGRES = `
CREATE TABLE repositories (
  "key" TEXT COLLATE "C" PRIMARY KEY,
  full_name TEXT NOT NULL,
  private BOOLEAN NOT NULL,
  installation_id BIGINT,
  default_branch TEXT,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pipelines_repo_ref_created ON pipelines (repo, ref, created_at);
`;

/**
 * Which pipelines are a commit's build (version 4): running, and not a deploy (a deploy runs a
 * commit too, once per environment). Adapters repeat it in `ON CONFLICT … WHERE`, which must
 * match the index's own predicate for the database to use the index.
 */
export const COMMIT_BUILD_PREDICATE: Readonly<Record<Dialect, string>> = {
  sqlite: `status = 'running' AND json_extract("trigger", '$.event') IS NOT 'deploy'`,
  postgres: `status = 'running' AND ("trigger"->>'event') IS DISTINCT FROM 'deploy'`,
};

/**
 * Version 4: one running build per repository and commit, across every replica, so a push and a
 * pull request of one commit reaching two replicas at once build it once. A database that
 * already holds two running builds of a commit keeps the newest; the older ones are cancelled
 * here, or the unique index could not be created.
 */
function oneBuildPerCommit(dialect: Dialect): string {
  const building = (table: string) =>
    dialect === "sqlite"
      ? `${table}.status = 'running' AND json_extract(${table}."trigger", '$.event') IS NOT 'deploy'`
      : `${table}.status = 'running' AND (${table}."trigger"->>'event') IS DISTINCT FROM 'deploy'`;
  return `
UPDATE pipelines SET status = 'completed', conclusion = 'cancelled',
  cancel_reason = 'another build of this commit was running (migration 4)'
WHERE ${building("pipelines")} AND EXISTS (
  SELECT 1 FROM pipelines AS newer
  WHERE newer.repo = pipelines.repo AND newer.sha = pipelines.sha AND ${building("newer")}
    AND (newer.created_at, newer.id) > (pipelines.created_at, pipelines.id)
);
CREATE UNIQUE INDEX pipelines_one_build_per_commit ON pipelines (repo, sha)
  WHERE ${COMMIT_BUILD_PREDICATE[dialect]};
`;
}

/**
 * Version 5 (issue 10): the build artifacts the engine keeps, one row per repository, commit
 * and file name; the bytes live in the file store under their SHA-256. `expires_at` drives the
 * retention sweep, `sha256` tells it which files are still referenced.
 */
function artifactsTable(types: { size: string; time: string; key: string }): string {
  const { size, time, key } = types;
  return `
CREATE TABLE artifacts (
  repo TEXT ${key} NOT NULL,
  sha TEXT ${key} NOT NULL,
  name TEXT ${key} NOT NULL,
  kind TEXT NOT NULL,
  size ${size} NOT NULL,
  sha256 TEXT ${key} NOT NULL,
  job TEXT NOT NULL,
  created_at ${time} NOT NULL,
  expires_at ${time} NOT NULL,
  PRIMARY KEY (repo, sha, name)
);
CREATE INDEX artifacts_expires ON artifacts (expires_at);
CREATE INDEX artifacts_sha256 ON artifacts (sha256);
`;
}

// Version 1 shipped for SQLite as INITIAL_SQLITE, unchanged here; PostgreSQL starts at it too.
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", sql: { sqlite: INITIAL_SQLITE, postgres: INITIAL_POSTGRES } },
  {
    version: 2,
    name: "chatops",
    sql: {
      sqlite: chatopsTables({ id: "INTEGER", time: "TEXT", json: "TEXT", key: "" }),
      postgres: chatopsTables({
        id: "BIGINT",
        time: "TIMESTAMPTZ",
        json: "JSONB",
        key: 'COLLATE "C"',
      }),
    },
  },
  {
    version: 3,
    name: "repositories",
    sql: { sqlite: REPOSITORIES_SQLITE, postgres: REPOSITORIES_POSTGRES },
  },
  {
    version: 4,
    name: "one-build-per-commit",
    sql: { sqlite: oneBuildPerCommit("sqlite"), postgres: oneBuildPerCommit("postgres") },
  },
  {
    version: 5,
    name: "artifacts",
    sql: {
      sqlite: artifactsTable({ size: "INTEGER", time: "TEXT", key: "" }),
      postgres: artifactsTable({ size: "BIGINT", time: "TIMESTAMPTZ", key: 'COLLATE "C"' }),
    },
  },
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
