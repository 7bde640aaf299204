import type { ProbotOctokit } from "probot";
import type { PylotMetrics } from "./registry.js";

/** The slice of an Octokit instance that request hooks need. */
export type HookableOctokit = Pick<InstanceType<typeof ProbotOctokit>, "hook">;

/** `x-ratelimit-remaining` as a number, when GitHub sent one. */
export function rateLimitRemaining(headers: unknown): number | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const value: unknown = (headers as Record<string, unknown>)["x-ratelimit-remaining"];
  const remaining = typeof value === "string" || typeof value === "number" ? Number(value) : NaN;
  return Number.isFinite(remaining) ? remaining : undefined;
}

/**
 * Status and headers of a failed request. Octokit's RequestError carries GitHub's response;
 * without one (a reset connection, a timeout) it still says 500, which GitHub never sent.
 */
function failure(error: unknown): { status: number | "network"; headers: unknown } {
  const response =
    typeof error === "object" && error !== null && "response" in error ? error.response : undefined;
  if (typeof response !== "object" || response === null)
    return { status: "network", headers: undefined };
  const status =
    "status" in response && typeof response.status === "number" ? response.status : "network";
  return { status, headers: "headers" in response ? response.headers : undefined };
}

/**
 * Counts an Octokit instance's requests by status and keeps the rate limit it last saw. Probot
 * makes a fresh instance per event and per `app.auth()`, so each is hooked once, where it is
 * handed out; hooking the same instance twice is a no-op.
 */
export function createOctokitInstrument(
  metrics: Pick<PylotMetrics, "githubResponse">,
): <O extends HookableOctokit>(octokit: O, installation: string) => O {
  const hooked = new WeakSet<HookableOctokit>();
  return (octokit, installation) => {
    if (hooked.has(octokit)) return octokit;
    hooked.add(octokit);
    octokit.hook.after("request", (response) => {
      const remaining = rateLimitRemaining(response.headers);
      metrics.githubResponse({ status: response.status, installation, remaining });
    });
    octokit.hook.error("request", (error: unknown) => {
      const { status, headers } = failure(error);
      metrics.githubResponse({ status, installation, remaining: rateLimitRemaining(headers) });
      throw error;
    });
    return octokit;
  };
}
