/**
 * The post-deploy health check: GET `deploy.<env>.health.url` until it answers 2xx or the
 * timeout passes. Redirects are followed on the same host only (another host could be anything),
 * bodies are never read, and each attempt is cut short so one hanging request cannot use the
 * whole budget silently.
 */

export interface HealthProbe {
  readonly url: string;
  /** The whole budget, retries included. */
  readonly timeoutMs: number;
  /** Tests pass a clock; default Date.now. */
  readonly now?: () => number;
}

export type HealthVerdict =
  | { readonly healthy: true; readonly status: number; readonly attempts: number }
  | { readonly healthy: false; readonly reason: string; readonly attempts: number };

/** One attempt's outcome: an HTTP status, or why there was none. */
type Attempt =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "redirect-elsewhere"; readonly location: string }
  | { readonly kind: "no-answer"; readonly waitedMs: number }
  | { readonly kind: "error"; readonly message: string };

const ATTEMPT_MAX_MS = 10_000;
const REDIRECTS_MAX = 3;
const FIRST_RETRY_MS = 250;
const RETRY_MAX_MS = 5_000;
/** Less time than this left is not worth another request once one was answered. */
const ATTEMPT_MIN_MS = 250;

/** Polls until healthy or out of time; never throws. */
export async function checkHealth(probe: HealthProbe): Promise<HealthVerdict> {
  const now = probe.now ?? Date.now;
  const deadline = now() + probe.timeoutMs;
  let attempts = 0;
  let last: Attempt | undefined;
  // What the service last said: a final request cut short by the deadline says less.
  let answered: Attempt | undefined;
  for (;;) {
    const left = deadline - now();
    if (left < ATTEMPT_MIN_MS && last !== undefined) break;
    attempts += 1;
    last = await attempt(probe.url, Math.max(1, Math.min(left, ATTEMPT_MAX_MS)));
    if (last.kind === "status") answered = last;
    if (last.kind === "status" && last.status >= 200 && last.status < 300)
      return { healthy: true, status: last.status, attempts };
    // Another host will not become this one: no point asking again.
    if (last.kind === "redirect-elsewhere") break;
    const pause = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), RETRY_MAX_MS, deadline - now());
    if (pause <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const reason = describe(last.kind === "no-answer" ? (answered ?? last) : last, attempts);
  return { healthy: false, reason, attempts };
}

function describe(last: Attempt, attempts: number): string {
  const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  switch (last.kind) {
    case "status":
      return `HTTP ${last.status} after ${tries}`;
    case "redirect-elsewhere":
      return `redirected to another host (${last.location.slice(0, 100)})`;
    case "no-answer":
      return `no answer within ${Math.ceil(last.waitedMs / 1000)} s (${tries})`;
    case "error":
      return `${last.message} (${tries})`;
  }
}

async function attempt(url: string, limitMs: number): Promise<Attempt> {
  const signal = AbortSignal.timeout(limitMs);
  let current = new URL(url);
  try {
    for (let hop = 0; ; hop += 1) {
      const response = await fetch(current, { method: "GET", redirect: "manual", signal });
      // The body is not needed: cancelling it frees the connection without reading it.
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || location === null)
        return { kind: "status", status: response.status };
      const next = new URL(location, current);
      if (next.host !== current.host || !/^https?:$/.test(next.protocol))
        return { kind: "redirect-elsewhere", location: next.origin };
      if (hop >= REDIRECTS_MAX) return { kind: "status", status: response.status };
      current = next;
    }
  } catch (error) {
    if (signal.aborted) return { kind: "no-answer", waitedMs: limitMs };
    return { kind: "error", message: connectionError(error) };
  }
}

/** "connection refused" and friends, from fetch's wrapped cause; never a stack. */
function connectionError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "";
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection reset";
    default:
      return code.startsWith("ERR_TLS") || code.includes("CERT") ? "TLS error" : "request failed";
  }
}
