import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { Probot, Server } from "probot";
import { afterEach, beforeEach, expect } from "vitest";
import { createPylotApp, type PylotApp, type PylotServices } from "../../../src/app.js";
import type { PipelineView, Store } from "../../../src/engine/ports.js";
import { routes } from "../../../src/index.js";
import { openStore } from "../../../src/store/index.js";
import { REPO } from "../../helpers/github-app.js";
import { API, TestOctokit, silentLog, type GitHubStub } from "../../helpers/github.js";

/** Probot's webhook secret when none is configured. */
export const WEBHOOK_SECRET = "development";

export interface PylotServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly app: PylotApp;
  readonly services: PylotServices;
  readonly store: Store;
  /** Hands a delivery to Probot in-process (no signature), as `probot.receive` does. */
  receive(name: string, payload: unknown, id?: string): Promise<void>;
  /** POSTs a delivery to the webhook URL, signed with `secret` (Probot's default). */
  deliver(
    name: string,
    payload: unknown,
    options?: { secret?: string; id?: string },
  ): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** The pipeline of a commit once it completed and its check run writes are done. */
  settle(commit: string): Promise<PipelineView>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  /** `PYLOT_DATABASE_URL`; default a fresh in-memory SQLite store. */
  readonly databaseUrl?: string;
  /** Reuse a workdir (a restart); removed by `close` only when the harness made it. */
  readonly workdir?: string;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => {
    probe.close(() => {
      done();
    });
  });
  return port;
}

/**
 * The GitHub stub of test/helpers/github.ts (nock, every interceptor used, nothing unexpected),
 * letting requests to the local server through: nock reports those as "no match" too.
 */
export function useGitHubStubWithServer(): GitHubStub {
  const unexpected: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string; href?: string }) => {
    const where = req.href ?? req.path ?? "?";
    if (!LOCAL.test(where)) unexpected.push(`${req.method ?? "?"} ${where}`);
  };
  beforeEach(() => {
    unexpected.length = 0;
    nock.disableNetConnect();
    nock.enableNetConnect(/^127\.0\.0\.1:\d+$/);
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

const LOCAL = /^http:\/\/127\.0\.0\.1:\d+\//;

let deliveries = 0;

/**
 * The real app behind Probot's real HTTP server (`Server`, as `probot run` builds it) on a free
 * port: routes are mounted through `addHandler`, GitHub is nock, jobs run on the local runner.
 */
export async function startPylotServer(options: StartOptions = {}): Promise<PylotServer> {
  const owned = options.workdir === undefined;
  const workdir = options.workdir ?? (await mkdtemp(join(tmpdir(), "pylot-http-")));
  const store = await openStore({
    url: options.databaseUrl ?? "sqlite::memory:",
    logger: silentLog,
  });
  const port = await freePort();
  const app = createPylotApp({
    routes,
    store,
    handleSignals: false,
    env: {
      PYLOT_WORKDIR: workdir,
      PYLOT_PYTHONS: "3.11=/usr/bin/python3",
      PYLOT_CONCURRENCY: "2",
      PYLOT_PUBLIC_URL: "https://pylot.example/",
      ...options.env,
    },
  });
  const ProbotWithDefaults = Probot.defaults({ githubToken: "test-token", Octokit: TestOctokit });
  const server = new Server({
    Probot: ProbotWithDefaults,
    port,
    host: "127.0.0.1",
    log: silentLog,
  });
  let probot: Probot | undefined;
  await server.load(async (loaded, fnOptions) => {
    probot = loaded;
    await app(loaded, fnOptions);
  });
  await server.start();
  const services = await app.services();
  const url = `http://127.0.0.1:${port}`;
  type Event = Parameters<Probot["receive"]>[0];
  return {
    url,
    app,
    services,
    store,
    async receive(name, payload, id) {
      deliveries += 1;
      // Example payloads are typed by @octokit/webhooks-types, not Probot's event union.
      await probot?.receive({ id: id ?? `http-delivery-${deliveries}`, name, payload } as Event);
    },
    deliver(name, payload, deliverOptions = {}) {
      deliveries += 1;
      const body = JSON.stringify(payload);
      const secret = deliverOptions.secret ?? WEBHOOK_SECRET;
      const signature = createHmac("sha256", secret).update(body).digest("hex");
      return fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": name,
          "x-github-delivery": deliverOptions.id ?? `http-delivery-${deliveries}`,
          "x-hub-signature-256": `sha256=${signature}`,
        },
        body,
      });
    },
    get: (path, headers = {}) => fetch(`${url}${path}`, { headers }),
    async settle(commit) {
      const pipeline = await store.findPipelineBySha(REPO, commit);
      if (pipeline === undefined) throw new Error(`no pipeline for ${commit}`);
      const view = await services.engine.waitForPipeline(pipeline.id);
      await services.engine.idle();
      await services.reporters.idle();
      return view;
    },
    async close() {
      await server.stop();
      await app.close();
      if (owned) await rm(workdir, { recursive: true, force: true });
    },
  };
}
