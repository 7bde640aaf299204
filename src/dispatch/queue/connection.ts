import { Queue, type ConnectionOptions, type RedisOptions } from "bullmq";
import { DEFAULT_PREFIX, RESULTS_QUEUE } from "./names.js";

/** A Redis URL (`redis://…`, `rediss://…`) or ioredis options. */
export type QueueConnection = string | RedisOptions;

/** What every BullMQ object of Pylot is built with. */
export interface QueueSettings {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
}

/**
 * BullMQ's requirement: `maxRetriesPerRequest: null`, so a blocking command waits out a Redis
 * restart instead of failing the worker. Redis itself must run with `maxmemory-policy
 * noeviction`: an evicted job key is a lost job.
 */
export function queueSettings(connection: QueueConnection, prefix?: string): QueueSettings {
  const base: RedisOptions =
    typeof connection === "string" ? { url: connection } : { ...connection };
  return {
    connection: { ...base, maxRetriesPerRequest: null },
    prefix: prefix ?? DEFAULT_PREFIX,
  };
}

/** A Redis URL fit for a log line or an error message: the password is masked. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "****";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

export type RedisCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Connects once and reports whether Redis answers within `timeoutMs`. BullMQ on its own would
 * retry forever (as it should once running); a command that starts should fail fast instead.
 */
export async function checkRedis(settings: QueueSettings, timeoutMs: number): Promise<RedisCheck> {
  const probe = new Queue(RESULTS_QUEUE, settings);
  let lastError = "no answer";
  probe.on("error", (error: Error) => {
    lastError = error.message || error.name;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<RedisCheck>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, reason: `${lastError} (after ${timeoutMs} ms)` });
    }, timeoutMs);
  });
  const ready = probe.waitUntilReady().then(
    (): RedisCheck => ({ ok: true }),
    (error: unknown): RedisCheck => ({
      ok: false,
      reason: error instanceof Error ? error.message : String(error),
    }),
  );
  try {
    return await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
    await probe.close().catch(() => undefined);
  }
}
