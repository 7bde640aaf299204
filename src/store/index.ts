import { chmod } from "node:fs/promises";
import type { Logger } from "pino";
import type { Store } from "../engine/ports.js";
import { resolveDatabaseUrl } from "./database-url.js";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";

export {
  ACCEPTED_DATABASE_URLS,
  DEFAULT_SQLITE_PATH,
  parsePostgresUrl,
  resolveDatabaseUrl,
  type DatabaseLocation,
  type PostgresTarget,
} from "./database-url.js";
export {
  PipelineConflictError,
  StoreConfigError,
  StoreDataError,
  StoreError,
  StoreNotFoundError,
} from "./errors.js";
export {
  DIALECTS,
  MIGRATIONS,
  SCHEMA_MIGRATIONS_TABLE_SQL,
  migrationSql,
  pendingMigrations,
  type Dialect,
  type Migration,
} from "./migrations.js";
export { DELIVERY_RETENTION_MS, SqliteStore, type SqliteStoreOptions } from "./sqlite.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres.js";
export {
  migratePostgres,
  type PostgresMigrateOptions,
  type PostgresMigrateOutcome,
} from "./postgres-migrate.js";

export interface OpenStoreOptions {
  /** `PYLOT_DATABASE_URL`; undefined means the default SQLite file. */
  readonly url: string | undefined;
  readonly logger: Logger;
}

/** Opens the Store that `PYLOT_DATABASE_URL` names; a StoreConfigError says how to fix a bad one. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const location = resolveDatabaseUrl(options.url);
  switch (location.kind) {
    case "sqlite": {
      const store = SqliteStore.open({ path: location.path, logger: options.logger });
      await ownerOnly(location.path);
      return store;
    }
    case "postgres":
      return PostgresStore.open({ url: location.url, logger: options.logger });
  }
}

/**
 * The SQLite file and its WAL are readable by the bot alone: jobs running as another uid
 * (PYLOT_RUNNER_UID) must not read pipelines, deliveries or deployments. SQLite gives new
 * -wal and -shm files the database file's mode.
 */
async function ownerOnly(path: string): Promise<void> {
  if (path === ":memory:") return;
  for (const file of [path, `${path}-wal`, `${path}-shm`])
    await chmod(file, 0o600).catch(() => undefined);
}
