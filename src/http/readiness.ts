import type { Store } from "../engine/ports.js";

/** One dependency's answer: "ok", or why not. */
export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface Readiness {
  readonly ready: boolean;
  /** Set when not ready: the first failing check, for humans and probes' logs. */
  readonly reason?: string;
  /** Each dependency: "ok", or why not. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface ReadinessOptions {
  readonly store: Pick<Store, "ping">;
  /** Set when `PYLOT_REDIS_URL` is: resolves with Redis' answer. */
  readonly redis?: (() => Promise<CheckResult>) | undefined;
  /** True once the server is shutting down: not ready, whatever the rest says. */
  readonly draining: () => boolean;
  /** How long a check may take before it counts as failed. */
  readonly timeoutMs: number;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Settles with the check's result, or a failure once `timeoutMs` passed. */
async function bounded(check: () => Promise<CheckResult>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const checked = check().catch((error: unknown): CheckResult => ({
    ok: false,
    reason: reasonOf(error),
  }));
  try {
    return await Promise.race([checked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pure: the checks' results as the `/readyz` body. */
export function summarize(results: Readonly<Record<string, CheckResult>>): Readiness {
  const checks: Record<string, string> = {};
  let reason: string | undefined;
  for (const [name, result] of Object.entries(results)) {
    checks[name] = result.ok ? "ok" : result.reason;
    if (!result.ok) reason ??= `${name}: ${result.reason}`;
  }
  return reason === undefined ? { ready: true, checks } : { ready: false, reason, checks };
}

/** Whether this replica should get webhooks and badge requests: its store (and Redis) answer. */
export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  if (options.draining())
    return { ready: false, reason: "shutting down", checks: { shutdown: "draining" } };
  const store = bounded(async () => {
    await options.store.ping();
    return { ok: true };
  }, options.timeoutMs);
  const redis = options.redis === undefined ? undefined : bounded(options.redis, options.timeoutMs);
  const results: Record<string, CheckResult> = { store: await store };
  if (redis !== undefined) results["redis"] = await redis;
  return summarize(results);
}
