import type { Logger } from "pino";
import type { Store } from "../engine/ports.js";
import { resolveDatabaseUrl } from "./database-url.js";
import { StoreConfigError } from "./errors.js";
import { SqliteStore } from "./sqlite.js";

export {
  ACCEPTED_DATABASE_URLS,
  DEFAULT_SQLITE_PATH,
  resolveDatabaseUrl,
  type DatabaseLocation,
} from "./database-url.js";
export { StoreConfigError, StoreDataError, StoreError, StoreNotFoundError } from "./errors.js";
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

export interface OpenStoreOptions {
  /** `PYLOT_DATABASE_URL`; undefined means the default SQLite file. */
  readonly url: string | undefined;
  readonly logger: Logger;
}

/** Opens the Store that `PYLOT_DATABASE_URL` names; a StoreConfigError says how to fix a bad one. */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  return new Promise<Store>((resolve) => {
    const location = resolveDatabaseUrl(options.url);
    switch (location.kind) {
      case "sqlite":
        resolve(SqliteStore.open({ path: location.path, logger: options.logger }));
        return;
      case "postgres":
        throw new StoreConfigError(
          "PYLOT_DATABASE_URL names PostgreSQL, which is not supported in this build yet. " +
            'Use SQLite for now: unset it for ./data/pylot.db, or set "sqlite:<path>".',
        );
    }
  });
}
