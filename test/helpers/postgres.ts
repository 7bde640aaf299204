import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Client } from "pg";
import { pino, type Logger } from "pino";

/** The test server; `.ci/run` sets the variable, the default is this machine's cluster. */
export const TEST_DATABASE_URL =
  process.env["PYLOT_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** A fresh schema name, unique to this test run. */
export function uniqueSchemaName(): string {
  return `pylot_test_${randomBytes(6).toString("hex")}`;
}

/** Runs one statement on a connection of its own, outside any store (for setup and peeking). */
export async function adminQuery<R extends Record<string, unknown> = Record<string, unknown>>(
  sql: string,
  params: readonly unknown[] = [],
  schema?: string,
): Promise<R[]> {
  const client = new Client({
    connectionString: TEST_DATABASE_URL,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  await client.connect();
  try {
    const result = await client.query<R>(sql, [...params]);
    return result.rows;
  } finally {
    await client.end();
  }
}

/**
 * Schemas handed out to tests and dropped afterwards. `create` makes the schema; `name` only
 * reserves one, for tests that want a store to create it.
 */
export class TestSchemas {
  private readonly names: string[] = [];

  name(): string {
    const name = uniqueSchemaName();
    this.names.push(name);
    return name;
  }

  async create(): Promise<string> {
    const name = this.name();
    await adminQuery(`CREATE SCHEMA "${name}"`);
    return name;
  }

  async dropAll(): Promise<void> {
    const names = this.names.splice(0);
    if (names.length === 0) return;
    await adminQuery(names.map((name) => `DROP SCHEMA IF EXISTS "${name}" CASCADE`).join("; "));
  }
}

/** Log lines as objects, and a way to wait until enough of one message arrived. */
export function captureLogs(): {
  logger: Logger;
  lines: Record<string, unknown>[];
  waitFor(msg: string, n: number): Promise<void>;
} {
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      for (const wake of waiters.splice(0)) wake();
      done();
    },
  });
  const count = (msg: string) => lines.filter((line) => line["msg"] === msg).length;
  const waitFor = (msg: string, n: number): Promise<void> =>
    count(msg) >= n
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push(resolve)).then(() => waitFor(msg, n));
  return { logger: pino({ level: "debug" }, sink), lines, waitFor };
}
