import nock from "nock";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, expect } from "vitest";

export const API = "https://api.github.com";
export const silentLog = pino({ level: "silent" });

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

/**
 * The Octokit the tests use: Probot's, without retries or throttling (they hide requests and
 * space writes a second apart). A function, not an object: Probot's own defaults replace a
 * `throttle` object wholesale, so `{ throttle: { enabled: false } }` would be lost.
 */
export const TestOctokit = ProbotOctokit.defaults((options: OctokitOptions): OctokitOptions => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

export function newProbot(): Probot {
  return new Probot({ githubToken: "test-token", Octokit: TestOctokit, log: silentLog });
}

/** An installation client as `app.auth(id)` gives one, for tests of `github/` functions. */
export function testOctokit(): InstanceType<typeof TestOctokit> {
  return new TestOctokit({ auth: { token: "test-token" }, log: silentLog });
}

export interface GitHubStub {
  /** Requests nock did not expect, as "METHOD url". */
  readonly unexpected: string[];
  /** A nock scope for api.github.com. */
  api(): nock.Scope;
}

/**
 * The one way tests stub GitHub: no real network, and after each test every interceptor must
 * have been used and no request may have gone unmatched.
 */
export function useGitHubStub(): GitHubStub {
  const unexpected: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string; href?: string }) => {
    unexpected.push(`${req.method ?? "?"} ${req.href ?? req.path ?? "?"}`);
  };
  beforeEach(() => {
    unexpected.length = 0;
    nock.disableNetConnect();
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.emitter.removeListener("no match", onNoMatch);
    nock.cleanAll();
    nock.enableNetConnect();
    expect({ unexpected, pending }).toEqual({ unexpected: [], pending: [] });
  });
  return { unexpected, api: () => nock(API) };
}

/** Records the JSON bodies of matching requests, in order. */
export function bodies(): { list: Record<string, unknown>[]; keep: (body: unknown) => true } {
  const list: Record<string, unknown>[] = [];
  return {
    list,
    keep(body) {
      list.push(typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {});
      return true;
    },
  };
}
