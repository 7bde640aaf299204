import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the stub saw, for assertions. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
  /** performance.now() when it arrived. */
  readonly at: number;
}

export interface StubCheckRun {
  readonly id: number;
  readonly name: string;
  readonly head_sha: string;
  readonly external_id: string;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  output: { title?: string; summary?: string; text?: string };
  actions: unknown[];
}

export interface StubPullRequestFile {
  readonly filename: string;
  /** Absent for binary files and very large diffs, as on GitHub. */
  readonly patch?: string;
  readonly status: string;
}

export interface StubPullRequest {
  readonly head: string;
  readonly base: string;
  /** Defaults to `main`. */
  readonly baseRef?: string;
  readonly files?: readonly StubPullRequestFile[];
  /** Defaults to `open`. */
  readonly state?: "open" | "closed";
  /** `owner/name`; without it the pull request exists in every repository. */
  readonly repo?: string;
}

/** An issue comment, as the stub stores it. */
export interface StubComment {
  readonly id: number;
  /** `owner/name`. */
  readonly repo: string;
  readonly issue: number;
  body: string;
}

export interface GitHubApiStub {
  /** `host:port`, for GHE_HOST. */
  readonly host: string;
  readonly requests: SeenRequest[];
  readonly checkRuns: StubCheckRun[];
  /** Issue comments, all written by the app (its bot user). */
  readonly comments: StubComment[];
  /** Requests the stub had no answer for. */
  readonly unanswered: string[];
  /** Serves a commit: its `.github/pylot.yml` and its tarball. */
  serveCommit(sha: string, files: { config: string; tarball: Buffer }): void;
  /** Serves (or moves, when already served) a pull request; unknown ones answer 404. */
  servePullRequest(number: number, pull: StubPullRequest): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function applyRun(run: StubCheckRun, input: Json): void {
  if (typeof input.status === "string") run.status = input.status;
  if (typeof input.conclusion === "string") {
    run.conclusion = input.conclusion;
    run.status = "completed";
  }
  if (typeof input.started_at === "string") run.started_at = input.started_at;
  if (typeof input.output === "object" && input.output !== null) run.output = input.output;
  if (Array.isArray(input.actions)) run.actions = input.actions;
}

/** Answers a request; true, so a route can `return send(…)`. */
function send(res: ServerResponse, status: number, body: unknown, headers: Json = {}): true {
  const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
  return true;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

/** Checks the app's JWT (RS256) against its public key, as GitHub does. */
function validJwt(header: string | undefined, key: KeyObject, appId: string): boolean {
  const token = /^bearer (.+)$/i.exec(header ?? "")?.[1];
  const [head, payload, signature] = token?.split(".") ?? [];
  if (head === undefined || payload === undefined || signature === undefined) return false;
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${head}.${payload}`),
    key,
    Buffer.from(signature, "base64url"),
  );
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Json;
  return signed && String(claims.iss) === appId;
}

/** One page of `items` as GitHub pages lists (`per_page` ≤ 100, `page` from 1), with its Link. */
function paged<T>(url: URL, items: readonly T[]): { slice: T[]; link: Json } {
  const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30) || 30, 100);
  const page = Math.max(Number(url.searchParams.get("page") ?? 1) || 1, 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (page * perPage >= items.length) return { slice, link: {} };
  const next = new URL(url);
  next.searchParams.set("page", String(page + 1));
  return { slice, link: { link: `<${next.href}>; rel="next"` } };
}

const TOKEN = "ghs_installation_token_for_tests";
const TOKEN_PATH = /^\/api\/v3\/app\/installations\/\d+\/access_tokens$/;
const REPO_PATH = /^\/api\/v3\/repos\/([^/]+\/[^/]+)(\/.*)$/;
const BOT = { login: "pylot[bot]", type: "Bot" };

/** Routes under /api/v3/repos/{owner}/{repo}: `repo` is `owner/name`, `route` what follows. */
interface RepoRequest {
  readonly method: string;
  readonly repo: string;
  readonly route: string;
  readonly url: URL;
  readonly input: Json;
}

const PULL = /^\/pulls\/(\d+)(\/files)?$/;
const ISSUE_COMMENTS = /^\/issues\/(\d+)\/comments$/;
const COMMENT = /^\/issues\/comments\/(\d+)$/;
const COMMIT_CHECK_RUNS = /^\/commits\/([^/]+)\/check-runs$/;
const COMMIT_PULLS = /^\/commits\/([^/]+)\/pulls$/;

/**
 * A local stand-in for the GitHub API (as GitHub Enterprise Server serves it under /api/v3):
 * installation tokens for a correctly signed app JWT, repository contents, a tarball behind a
 * redirect to another origin (like codeload), check runs (with their lookup by commit), pull
 * requests with their files, and issue comments. Everything is recorded; a route it does not
 * know lands in `unanswered`.
 */
class ApiStub implements GitHubApiStub {
  host = "";
  readonly requests: SeenRequest[] = [];
  readonly checkRuns: StubCheckRun[] = [];
  readonly comments: StubComment[] = [];
  readonly unanswered: string[] = [];
  readonly #commits = new Map<string, { config: string; tarball: Buffer }>();
  readonly #pulls = new Map<number, StubPullRequest>();
  #nextComment = 9000;
  readonly #server: Server;
  readonly #publicKey: KeyObject;

  constructor(readonly options: { readonly appId: string; readonly privateKey: string }) {
    this.#publicKey = createPublicKey(options.privateKey);
    this.#server = createServer((req, res) => void this.#receive(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  serveCommit(sha: string, files: { config: string; tarball: Buffer }): void {
    this.#commits.set(sha, files);
  }

  servePullRequest(number: number, pull: StubPullRequest): void {
    this.#pulls.set(number, pull);
  }

  close(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server.closeAllConnections();
      this.#server.close((error) => {
        if (error === undefined) resolve();
        else reject(error);
      });
    });
  }

  async #receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    const method = req.method ?? "GET";
    const body = await readBody(req);
    const authorization = req.headers.authorization;
    this.requests.push({ at: performance.now(), method, path, authorization, body });
    if (!this.#route(req, res, path, body)) {
      this.unanswered.push(`${method} ${path}`);
      send(res, 404, { message: "Not Found (stub)" });
    }
  }

  #route(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): boolean {
    const auth = req.headers.authorization;
    if (req.method === "POST" && TOKEN_PATH.test(path)) {
      if (!validJwt(auth, this.#publicKey, this.options.appId))
        return send(res, 401, { message: "Bad JWT" });
      const expires = new Date(Date.now() + 3600_000).toISOString();
      return send(res, 201, { token: TOKEN, expires_at: expires, permissions: {} });
    }
    if (path.startsWith("/codeload/")) {
      const commit = this.#commits.get(path.split("/").at(-1) ?? "");
      // The token must not follow the redirect to the archive host.
      if (commit === undefined || auth !== undefined) return send(res, 403, { message: "no" });
      return send(res, 200, commit.tarball, { "content-type": "application/x-gzip" });
    }
    if (auth !== `token ${TOKEN}`) return send(res, 401, { message: "Bad credentials" });
    const url = new URL(path, `http://${this.host}`);
    const [, repo, rest] = REPO_PATH.exec(url.pathname) ?? [];
    if (repo === undefined || rest === undefined) return false;
    const at = { method: req.method ?? "GET", repo, route: decodeURIComponent(rest), url };
    return this.#repoRoute(res, { ...at, input: (body ?? {}) as Json });
  }

  #repoRoute(res: ServerResponse, at: RepoRequest): boolean {
    const { method, route, url } = at;
    if (method === "GET" && route === "/contents/.github/pylot.yml") {
      const commit = this.#commits.get(url.searchParams.get("ref") ?? "");
      if (commit === undefined) return send(res, 404, { message: "Not Found" });
      return send(res, 200, commit.config, { "content-type": "text/plain; charset=utf-8" });
    }
    const tarball = /^\/tarball\/([0-9a-f]{40})$/.exec(route)?.[1];
    if (method === "GET" && tarball !== undefined) {
      // Another origin (localhost, not 127.0.0.1), as codeload.github.com is for github.com.
      const port = this.host.split(":")[1] ?? "";
      return send(res, 302, "", { location: `http://localhost:${port}/codeload/${tarball}` });
    }
    if (method === "POST" && route === "/check-runs") return this.#createRun(res, at.input);
    const update = /^\/check-runs\/(\d+)$/.exec(route)?.[1];
    if (method === "PATCH" && update !== undefined)
      return this.#updateRun(res, Number(update), at.input);
    const ref = COMMIT_CHECK_RUNS.exec(route)?.[1];
    if (method === "GET" && ref !== undefined) return this.#listRuns(res, url, ref);
    return this.#pullRoute(res, at) || this.#commentRoute(res, at);
  }

  #createRun(res: ServerResponse, input: Json): boolean {
    const run: StubCheckRun = {
      id: 5000 + this.checkRuns.length,
      name: String(input.name),
      head_sha: String(input.head_sha),
      external_id: String(input.external_id),
      status: "queued",
      conclusion: null,
      started_at: null,
      output: {},
      actions: [],
    };
    applyRun(run, input);
    this.checkRuns.push(run);
    return send(res, 201, this.#runJson(run));
  }

  #updateRun(res: ServerResponse, id: number, input: Json): boolean {
    const run = this.checkRuns.find((r) => r.id === id);
    if (run === undefined) return send(res, 404, { message: "Not Found" });
    applyRun(run, input);
    return send(res, 200, this.#runJson(run));
  }

  /** `checks.listForRef`: the commit's runs, optionally of one name, a page at a time. */
  #listRuns(res: ServerResponse, url: URL, ref: string): boolean {
    const name = url.searchParams.get("check_name");
    const runs = this.checkRuns.filter(
      (run) => run.head_sha === ref && (name === null || run.name === name),
    );
    const { slice, link } = paged(url, runs);
    const body = { total_count: runs.length, check_runs: slice.map((run) => this.#runJson(run)) };
    return send(res, 200, body, link);
  }

  #runJson(run: StubCheckRun) {
    return { ...run, html_url: `http://${this.host}/runs/${run.id}` };
  }

  #pull(repo: string, number: number): StubPullRequest | undefined {
    const pull = this.#pulls.get(number);
    return pull?.repo === undefined || pull.repo === repo ? pull : undefined;
  }

  #pullRoute(res: ServerResponse, { method, repo, route, url }: RepoRequest): boolean {
    if (method !== "GET") return false;
    const commit = COMMIT_PULLS.exec(route)?.[1];
    if (commit !== undefined) {
      const pulls = [...this.#pulls.keys()]
        .filter((n) => this.#pull(repo, n)?.head === commit)
        .map((n) => this.#pullJson(repo, n));
      const { slice, link } = paged(url, pulls);
      return send(res, 200, slice, link);
    }
    const [, number, files] = PULL.exec(route) ?? [];
    if (number === undefined) return false;
    const pull = this.#pull(repo, Number(number));
    if (pull === undefined) return send(res, 404, { message: "Not Found" });
    if (files === undefined) return send(res, 200, this.#pullJson(repo, Number(number)));
    const { slice, link } = paged(url, pull.files ?? []);
    const shown = slice.map((file) => ({ additions: 0, deletions: 0, changes: 0, ...file }));
    return send(res, 200, shown, link);
  }

  #pullJson(repo: string, number: number) {
    const pull = this.#pulls.get(number);
    const side = (sha: string, ref: string) => ({ sha, ref, repo: { full_name: repo } });
    return {
      number,
      state: pull?.state ?? "open",
      html_url: `http://${this.host}/${repo}/pull/${number}`,
      head: side(pull?.head ?? "", "changes"),
      base: side(pull?.base ?? "", pull?.baseRef ?? "main"),
    };
  }

  #commentRoute(res: ServerResponse, { method, repo, route, url, input }: RepoRequest): boolean {
    const issue = ISSUE_COMMENTS.exec(route)?.[1];
    const id = COMMENT.exec(route)?.[1];
    const text = typeof input.body === "string" ? input.body : undefined;
    if (issue !== undefined && method === "GET") {
      const { slice, link } = paged(url, this.#commentsOf(repo, Number(issue)));
      return send(
        res,
        200,
        slice.map((c) => this.#commentJson(c)),
        link,
      );
    }
    const writes =
      (issue !== undefined && method === "POST") || (id !== undefined && method === "PATCH");
    if (writes && text === undefined) return send(res, 422, { message: "body is missing" });
    if (issue !== undefined && method === "POST") {
      const comment = { id: this.#nextComment++, repo, issue: Number(issue), body: text ?? "" };
      this.comments.push(comment);
      return send(res, 201, this.#commentJson(comment));
    }
    if (id === undefined || (method !== "PATCH" && method !== "DELETE")) return false;
    const comment = this.comments.find((c) => c.id === Number(id) && c.repo === repo);
    if (comment === undefined) return send(res, 404, { message: "Not Found" });
    if (method === "DELETE") {
      this.comments.splice(this.comments.indexOf(comment), 1);
      return send(res, 204, "");
    }
    comment.body = text ?? comment.body;
    return send(res, 200, this.#commentJson(comment));
  }

  #commentsOf(repo: string, issue: number): StubComment[] {
    return this.comments.filter((c) => c.repo === repo && c.issue === issue);
  }

  #commentJson(comment: StubComment) {
    const html = `http://${this.host}/${comment.repo}/pull/${comment.issue}#${comment.id}`;
    return { id: comment.id, body: comment.body, user: BOT, html_url: html };
  }
}

export function startGitHubApiStub(options: {
  readonly appId: string;
  readonly privateKey: string;
}): Promise<GitHubApiStub> {
  return new ApiStub(options).listen();
}
