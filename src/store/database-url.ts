import { StoreConfigError } from "./errors.js";

/** Where `PYLOT_DATABASE_URL` points. */
export type DatabaseLocation =
  | { readonly kind: "sqlite"; /** A file path, or ":memory:". */ readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

export const DEFAULT_SQLITE_PATH = "./data/pylot.db";

export const ACCEPTED_DATABASE_URLS =
  '"sqlite:<path>", a bare file path, "sqlite::memory:" (tests), or nothing for ' +
  `${DEFAULT_SQLITE_PATH}; "postgres://…" once PostgreSQL support ships`;

// Two letters or more, so a Windows drive ("C:\\pylot.db") still reads as a path.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/**
 * Reads `PYLOT_DATABASE_URL`. Pure: opens nothing. The URL itself never appears in an error,
 * since a PostgreSQL URL may carry a password.
 */
export function resolveDatabaseUrl(url: string | undefined): DatabaseLocation {
  const value = url?.trim() ?? "";
  if (value === "") return { kind: "sqlite", path: DEFAULT_SQLITE_PATH };
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "sqlite", path: value };
  if (scheme === "postgres" || scheme === "postgresql") return { kind: "postgres", url: value };
  if (scheme !== "sqlite") {
    throw new StoreConfigError(
      `PYLOT_DATABASE_URL has an unsupported scheme "${scheme}:". Use ${ACCEPTED_DATABASE_URLS}.`,
    );
  }
  const rest = value.slice("sqlite:".length);
  // sqlite:///abs/path and sqlite://rel/path are common spellings of sqlite:<path>.
  const path = rest.startsWith("//") ? rest.slice(2) : rest;
  if (path === "") {
    throw new StoreConfigError(
      `PYLOT_DATABASE_URL "sqlite:" names no file. Use ${ACCEPTED_DATABASE_URLS}.`,
    );
  }
  return { kind: "sqlite", path };
}
