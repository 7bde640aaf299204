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

export interface GitHubApiStub {
  /** `host:port`, for GHE_HOST. */
  readonly host: string;
  readonly requests: SeenRequest[];
  readonly checkRuns: StubCheckRun[];
  /** Requests the stub had no answer for. */
  readonly unanswered: string[];
  /** Serves a commit: its `.github/pylot.yml` and its tarball. */
  serveCommit(sha: string, files: { config: string; tarball: Buffer }): void;
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

const TOKEN = "ghs_installation_token_for_tests";
const TOKEN_PATH = /^\/api\/v3\/app\/installations\/\d+\/access_tokens$/;
const REPO_PATH = /^\/api\/v3\/repos\/[^/]+\/[^/]+(\/.*)$/;

/**
 * A local stand-in for the GitHub API (as GitHub Enterprise Server serves it under /api/v3):
 * installation tokens for a correctly signed app JWT, repository contents, a tarball behind a
 * redirect to another origin (like codeload), and check runs. Everything is recorded.
 */
class ApiStub implements GitHubApiStub {
  host = "";
  readonly requests: SeenRequest[] = [];
  readonly checkRuns: StubCheckRun[] = [];
  readonly unanswered: string[] = [];
  readonly #commits = new Map<string, { config: string; tarball: Buffer }>();
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
    const rest = REPO_PATH.exec(path)?.[1];
    return rest === undefined ? false : this.#repoRoute(req.method ?? "GET", res, rest, body);
  }

  /** Routes under /api/v3/repos/{owner}/{repo}; `rest` is what follows. */
  #repoRoute(method: string, res: ServerResponse, rest: string, body: unknown): boolean {
    const url = new URL(`http://stub${rest}`);
    const input = (body ?? {}) as Json;
    if (method === "GET" && decodeURIComponent(url.pathname) === "/contents/.github/pylot.yml") {
      const commit = this.#commits.get(url.searchParams.get("ref") ?? "");
      if (commit === undefined) return send(res, 404, { message: "Not Found" });
      return send(res, 200, commit.config, { "content-type": "text/plain; charset=utf-8" });
    }
    const tarball = /^\/tarball\/([0-9a-f]{40})$/.exec(url.pathname)?.[1];
    if (method === "GET" && tarball !== undefined) {
      // Another origin (localhost, not 127.0.0.1), as codeload.github.com is for github.com.
      const port = this.host.split(":")[1] ?? "";
      return send(res, 302, "", { location: `http://localhost:${port}/codeload/${tarball}` });
    }
    if (method === "POST" && url.pathname === "/check-runs") return this.#createRun(res, input);
    const update = /^\/check-runs\/(\d+)$/.exec(url.pathname)?.[1];
    if (method === "PATCH" && update !== undefined)
      return this.#updateRun(res, Number(update), input);
    return false;
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
    return send(res, 201, this.#json(run));
  }

  #updateRun(res: ServerResponse, id: number, input: Json): boolean {
    const run = this.checkRuns.find((r) => r.id === id);
    if (run === undefined) return send(res, 404, { message: "Not Found" });
    applyRun(run, input);
    return send(res, 200, this.#json(run));
  }

  #json(run: StubCheckRun) {
    return { ...run, html_url: `http://${this.host}/runs/${run.id}` };
  }
}

export function startGitHubApiStub(options: {
  readonly appId: string;
  readonly privateKey: string;
}): Promise<GitHubApiStub> {
  return new ApiStub(options).listen();
}
