import { StoreConfigError } from "./errors.js";

/** Where `PYLOT_DATABASE_URL` points. */
export type DatabaseLocation =
  | { readonly kind: "sqlite"; /** A file path, or ":memory:". */ readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

export const DEFAULT_SQLITE_PATH = "./data/pylot.db";

export const ACCEPTED_DATABASE_URLS =
  '"sqlite:<path>", a bare file path, "sqlite::memory:" (tests), or nothing for ' +
  `${DEFAULT_SQLITE_PATH}; or "postgres://user:password@host:5432/database" ("postgresql://" too)`;

const DEFAULT_POSTGRES_PORT = 5432;

/** Where a PostgreSQL URL points, for messages and logs: never the password. */
export interface PostgresTarget {
  /** A host name, an IP address, or a Unix socket folder (`?host=/run/postgresql`). */
  readonly host: string;
  readonly port: number;
  readonly database: string | undefined;
  readonly user: string | undefined;
  /** The URL with any password replaced by "***". */
  readonly redacted: string;
}

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
  if (scheme === "postgres" || scheme === "postgresql") {
    parsePostgresUrl(value);
    return { kind: "postgres", url: value };
  }
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

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    // URL's own error carries the input, password included.
    throw new StoreConfigError(
      "PYLOT_DATABASE_URL is not a valid PostgreSQL URL (check the port and that special " +
        `characters in the password are percent-encoded). Use ${ACCEPTED_DATABASE_URLS}.`,
    );
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Reads the parts of a `postgres://` URL worth naming in a message, as `pg` will use them
 * (query parameters `host`, `port`, `user` win over the URL's own, as in libpq). Pure.
 */
export function parsePostgresUrl(url: string): PostgresTarget {
  const parsed = parseUrl(url);
  const query = parsed.searchParams;
  const portText = query.get("port") ?? parsed.port;
  const port = portText === "" ? DEFAULT_POSTGRES_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StoreConfigError(`PYLOT_DATABASE_URL has an invalid port "${portText}".`);
  }
  const user = query.get("user") ?? decoded(parsed.username);
  const database = decoded(parsed.pathname.slice(1));
  if (parsed.password !== "") parsed.password = "***";
  if (query.has("password")) query.set("password", "***");
  return {
    host: query.get("host") ?? (parsed.hostname.replace(/^\[(.+)\]$/, "$1") || "localhost"),
    port,
    database: database === "" ? undefined : database,
    user: user === "" ? undefined : user,
    redacted: parsed.toString(),
  };
}
