import { Pool, types, type CustomTypesConfig, type PoolClient } from "pg";
import type { PostgresTarget } from "./database-url.js";
import { StoreConfigError } from "./errors.js";

type TypeId = Parameters<typeof types.getTypeParser>[0];
type TypeFormat = "text" | "binary";
type TypeParser = (text: string) => unknown;

/** The driver types its parsers as `any`; this is the one place that says what they are. */
function builtinParser(oid: TypeId, format?: TypeFormat): TypeParser {
  return types.getTypeParser(oid, format) as TypeParser;
}

/** What a schema name may be: plain, so it needs no quoting in `search_path` or SQL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A timestamptz column as the port's ISO string. PostgreSQL keeps microseconds and prints its
 * own format; the port writes `Date#toISOString()`, so milliseconds in UTC round-trip exactly.
 */
export function isoTimestamp(text: string): string {
  const parsed = builtinParser(types.builtins.TIMESTAMPTZ, "text")(text);
  return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : text;
}

/**
 * Rows then look exactly like SQLite's: JSON as text (rows.ts parses and validates it) and
 * timestamps as ISO strings.
 */
const ROW_TYPES: CustomTypesConfig = {
  getTypeParser: (oid: TypeId, format?: TypeFormat): TypeParser => {
    if (oid === types.builtins.JSONB) return (text: string) => text;
    if (oid === types.builtins.TIMESTAMPTZ) return isoTimestamp;
    return builtinParser(oid, format);
  },
};

export interface PostgresPoolOptions {
  readonly url: string;
  /** Tables live here (it is created when missing); the server's default search_path otherwise. */
  readonly schema?: string | undefined;
  readonly poolSize?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  /** Shown in `pg_stat_activity`, so operators can tell replicas apart. */
  readonly applicationName?: string | undefined;
}

export function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreConfigError(
      `PostgreSQL schema name "${schema}" is not allowed: use lower-case letters, digits and _.`,
    );
  }
}

/** The server ended the connection (restart, failover, `pg_terminate_backend`): not the query. */
function isConnectionLost(error: unknown): boolean {
  const { code, text } = failureReason(error);
  return (
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    /Connection terminated|ECONNRESET/i.test(text)
  );
}

export function createPool(options: PostgresPoolOptions): Pool {
  if (options.schema !== undefined) checkSchemaName(options.schema);
  const pool = newPool(options);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  // An idle pooled connection the server ended fails the next statement sent on it, which
  // therefore did not run: it is sent once more, on a fresh connection.
  const retried = async (...args: unknown[]): Promise<unknown> => {
    try {
      return await query(...args);
    } catch (error) {
      if (!isConnectionLost(error)) throw error;
      return query(...args);
    }
  };
  pool.query = retried as Pool["query"];
  return pool;
}

function newPool(options: PostgresPoolOptions): Pool {
  return new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? "pylot",
    types: ROW_TYPES,
    // A startup parameter, so every pooled connection has it before its first query.
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
}

/**
 * Why a connection failed, as a short reason: the driver's code and message, never a stack nor
 * the error's other fields (pg attaches the client, and with it the connection parameters).
 */
export function failureReason(error: unknown): { code: string | undefined; text: string } {
  if (!(error instanceof Error)) return { code: undefined, text: String(error) };
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  const text = error.message === "" ? (code ?? error.name) : error.message;
  return { code, text };
}

const HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "Is the server running and listening on that host and port?",
  ENOTFOUND: "The host name does not resolve.",
  EAI_AGAIN: "The host name does not resolve.",
  ETIMEDOUT: "The server did not answer; check the host, port and firewall.",
  "28P01": "Check the user name and password.",
  "28000": "The server refused this user (pg_hba.conf).",
  "3D000": "Create the database, or fix the URL's path.",
  "57P03": "The server is starting up or shutting down; try again.",
};

/** Turns a failure to connect at startup into a message an operator can act on. */
export function connectionError(target: PostgresTarget, error: unknown): StoreConfigError {
  const { code, text } = failureReason(error);
  const hint = code === undefined ? undefined : HINTS[code];
  const where = target.host.startsWith("/") ? target.host : `${target.host}:${target.port}`;
  const database = target.database === undefined ? "" : ` (database "${target.database}")`;
  return new StoreConfigError(
    `Cannot connect to PostgreSQL at ${where}${database}: ${text}.` +
      (hint === undefined ? "" : ` ${hint}`) +
      ` PYLOT_DATABASE_URL is ${target.redacted}.`,
    { cause: error },
  );
}

/**
 * Runs `work` in a transaction on one pooled connection. A connection whose ROLLBACK failed is
 * destroyed rather than returned to the pool, since its state is unknown.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error: unknown) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
