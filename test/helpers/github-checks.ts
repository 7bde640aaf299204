import nock from "nock";
import { API } from "./github.js";

/** A check run as the fake GitHub keeps it: the merged state plus every body written. */
export interface FakeCheckRun {
  readonly id: number;
  readonly name: string;
  readonly head_sha: string;
  readonly external_id: string;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  details_url: string | null;
  output: { title?: string; summary?: string; text?: string; annotations?: unknown[] };
  actions: unknown[];
  /** Statuses in the order they were written ("queued", "in_progress", "completed"). */
  readonly history: string[];
}

export interface FakeChecks {
  readonly runs: FakeCheckRun[];
  /** Writes in order: "POST <name>" or "PATCH <name>". */
  readonly writes: string[];
  named(name: string): FakeCheckRun[];
  /** [name, status, conclusion] of the check runs of a commit (or all), sorted by name. */
  states(sha?: string): [string, string, string | null][];
  /** The newest check run with this name (re-runs create new ones). */
  latest(name: string): FakeCheckRun | undefined;
  /** Serves `GET …/commits/{sha}/check-runs` from the fake's state. */
  serveList(): void;
  /** The next `count` creates are made, but answered 502 (as GitHub sometimes does). */
  failCreates(count: number): void;
}

type Body = Record<string, unknown>;

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function apply(run: FakeCheckRun, body: Body): void {
  if (typeof body.status === "string") run.status = body.status;
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  run.started_at = str(body.started_at) ?? run.started_at;
  run.completed_at = str(body.completed_at) ?? run.completed_at;
  run.details_url = str(body.details_url) ?? run.details_url;
  if (typeof body.output === "object" && body.output !== null) run.output = body.output;
  if (Array.isArray(body.actions)) run.actions = body.actions;
  run.history.push(run.status);
}

type Reply = [number, Record<string, unknown>];

class CheckRunsFake implements FakeChecks {
  readonly runs: FakeCheckRun[] = [];
  readonly writes: string[] = [];
  #failing = 0;

  constructor(
    readonly scope: nock.Scope,
    readonly repo: string,
  ) {}

  create(body: Body): Reply {
    const run: FakeCheckRun = {
      id: 1000 + this.runs.length,
      name: String(body.name),
      head_sha: String(body.head_sha),
      external_id: String(body.external_id),
      status: "queued",
      conclusion: null,
      started_at: null,
      completed_at: null,
      details_url: null,
      output: {},
      actions: [],
      history: [],
    };
    apply(run, body);
    this.runs.push(run);
    this.writes.push(`POST ${run.name}`);
    if (this.#failing === 0) return [201, this.json(run)];
    this.#failing -= 1;
    return [502, { message: "Bad Gateway" }];
  }

  update(uri: string, body: Body): Reply {
    const run = this.runs.find((r) => uri.endsWith(`/${r.id}`));
    if (run === undefined) return [404, { message: "Not Found" }];
    apply(run, body);
    this.writes.push(`PATCH ${run.name}`);
    return [200, this.json(run)];
  }

  list(uri: string): Reply {
    const url = new URL(uri, "https://api.github.com");
    const sha = url.pathname.split("/")[5];
    const name = url.searchParams.get("check_name");
    const found = this.runs.filter((r) => r.head_sha === sha && (name === null || r.name === name));
    return [200, { total_count: found.length, check_runs: found.map((r) => this.json(r)) }];
  }

  json(run: FakeCheckRun): Record<string, unknown> {
    return { ...run, html_url: `https://github.com/${this.repo}/runs/${run.id}` };
  }

  named(name: string): FakeCheckRun[] {
    return this.runs.filter((run) => run.name === name);
  }

  latest(name: string): FakeCheckRun | undefined {
    return this.named(name).at(-1);
  }

  states(sha?: string): [string, string, string | null][] {
    return this.runs
      .filter((run) => sha === undefined || run.head_sha === sha)
      .map((run): [string, string, string | null] => [run.name, run.status, run.conclusion])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }

  serveList(): void {
    this.scope
      .persist()
      .get(new RegExp(`^/repos/${this.repo}/commits/[0-9a-f]+/check-runs`))
      .reply((uri) => this.list(uri));
  }

  failCreates(count: number): void {
    this.#failing = count;
  }
}

/**
 * A small in-memory checks API on a nock scope, for app tests that run real pipelines: ids are
 * assigned, updates merged, and tests assert on final states and on the writes made.
 * `updates: false` when a test expects creates only (an unused interceptor fails the test).
 */
export function fakeChecks(options: { repo?: string; updates?: boolean } = {}): FakeChecks {
  // A scope of its own: `persist()` on a test's scope would make all of its interceptors
  // answer any number of times, so duplicate requests would go unnoticed.
  const scope = nock(API);
  const fake = new CheckRunsFake(scope, options.repo ?? "Codertocat/Hello-World");
  scope
    .persist()
    .post(`/repos/${fake.repo}/check-runs`)
    .reply((_uri, body) => fake.create(body as Body));
  if (options.updates !== false)
    scope
      .persist()
      .patch(new RegExp(`^/repos/${fake.repo}/check-runs/\\d+$`))
      .reply((uri, body) => fake.update(uri, body as Body));
  return fake;
}
