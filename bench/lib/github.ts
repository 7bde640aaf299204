import {
  startGitHubApiStub,
  type GitHubApiStub,
  type SeenRequest,
} from "../../test/helpers/github-api-stub.js";
import type { AppIdentity } from "./app-server.js";

/**
 * GitHub on localhost: the test stub (tokens, config, tarballs, check runs, pull requests and
 * their comments). Everything it sees is recorded, on this process's performance.now() clock.
 */
export interface LocalGitHub {
  /** host:port for GHE_HOST. */
  readonly host: string;
  readonly stub: GitHubApiStub;
  /** Every request, in arrival order. */
  requests(): SeenRequest[];
  /** An open PR of `owner/repo` with head `sha`, for the sticky PR comment. */
  servePullRequest(pr: { owner: string; repo: string; number: number; sha: string }): void;
  close(): Promise<void>;
}

/** The base commit of the bench's pull requests: one no pipeline built. */
const BASE_SHA = "0".repeat(39) + "1";

export async function startLocalGitHub(identity: AppIdentity): Promise<LocalGitHub> {
  const stub = await startGitHubApiStub(identity);
  return {
    host: stub.host,
    stub,
    requests: () => [...stub.requests],
    servePullRequest: (pr) => {
      const repo = `${pr.owner}/${pr.repo}`;
      stub.servePullRequest(pr.number, { head: pr.sha, base: BASE_SHA, repo });
    },
    close: () => stub.close(),
  };
}

/** What a request to GitHub is for, in words; unknown routes keep their shape with ids as :n. */
export function requestKind(method: string, path: string): string {
  const route = path.split("?")[0] ?? path;
  if (method === "POST" && route.endsWith("/access_tokens")) return "installation token";
  if (method === "GET" && decodeURIComponent(route).endsWith("/contents/.github/pylot.yml"))
    return "config read";
  if (method === "GET" && /\/tarball\//.test(route)) return "tarball (redirect)";
  if (method === "GET" && route.startsWith("/codeload/")) return "tarball download";
  if (method === "POST" && route.endsWith("/check-runs")) return "check run create";
  if (method === "PATCH" && /\/check-runs\/\d+$/.test(route)) return "check run update";
  if (/\/issues\/\d+\/comments$/.test(route))
    return method === "GET" ? "comment list" : "comment create";
  if (/\/issues\/comments\/\d+$/.test(route))
    return method === "DELETE" ? "comment delete" : "comment update";
  if (method === "GET" && /\/pulls\/\d+$/.test(route)) return "pull request read";
  if (method === "GET" && /\/pulls\/\d+\/files$/.test(route)) return "pull request files";
  if (method === "GET" && /\/commits\/[^/]+\/pulls$/.test(route)) return "pull requests of commit";
  if (method === "GET" && /\/commits\/[^/]+\/check-runs$/.test(route)) return "check run lookup";
  return `${method} ${route.replace(/^\/api\/v3\/repos\/[^/]+\/[^/]+/, "").replace(/\d+/g, ":n")}`;
}

/** A write spends GitHub's secondary rate limit; tokens are auth, not writes. */
export function isWrite(method: string, kind: string): boolean {
  return method !== "GET" && method !== "HEAD" && kind !== "installation token";
}

/** Annotations a check-run create or update carried. */
export function annotationsIn(body: unknown): number {
  if (typeof body !== "object" || body === null || !("output" in body)) return 0;
  const output = body.output;
  if (typeof output !== "object" || output === null || !("annotations" in output)) return 0;
  return Array.isArray(output.annotations) ? output.annotations.length : 0;
}

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null && name in body
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

/** Per commit: when its first check run was created, and when its `Pylot` summary completed. */
export interface CommitProgress {
  readonly firstCheckRun: ReadonlyMap<string, number>;
  readonly summaryDone: ReadonlyMap<string, number>;
}

/**
 * Reads the check-run writes once (polling 200 commits must not stall the stub's event loop):
 * a summary is done when created with a conclusion or updated with one. Times are the stub's
 * performance.now().
 */
export function commitProgress(github: LocalGitHub): CommitProgress {
  const runs = new Map(github.stub.checkRuns.map((run) => [run.id, run]));
  const firstCheckRun = new Map<string, number>();
  const summaryDone = new Map<string, number>();
  for (const r of github.stub.requests) {
    const created = r.method === "POST" && r.path.endsWith("/check-runs");
    const id = r.method === "PATCH" ? /\/check-runs\/(\d+)$/.exec(r.path)?.[1] : undefined;
    if (!created && id === undefined) continue;
    const run = id === undefined ? undefined : runs.get(Number(id));
    const sha = String(created ? field(r.body, "head_sha") : run?.head_sha);
    const name = created ? field(r.body, "name") : run?.name;
    if (created && !firstCheckRun.has(sha)) firstCheckRun.set(sha, r.at);
    const concluded = field(r.body, "conclusion") !== undefined;
    if (concluded && name === "Pylot" && !summaryDone.has(sha)) summaryDone.set(sha, r.at);
  }
  return { firstCheckRun, summaryDone };
}
