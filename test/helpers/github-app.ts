import { afterEach, beforeEach } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type nock from "nock";
import type { Probot } from "probot";
import { createPylotApp, type PylotApp, type PylotServices } from "../../src/app.js";
import type { PipelineView, Store } from "../../src/engine/ports.js";
import { routes } from "../../src/index.js";
import { openStore } from "../../src/store/index.js";
import { newProbot, silentLog } from "./github.js";
import { tarballOf } from "./github-payloads.js";

export {
  checkRunPayload,
  checkSuitePayload,
  pullRequestPayload,
  pushPayload,
  sha,
  tarballOf,
} from "./github-payloads.js";

export const REPO = "Codertocat/Hello-World";
export const CONTENTS = `/repos/${REPO}/contents`;

export async function serveTarball(scope: nock.Scope, commit: string, project: string) {
  const bytes = await tarballOf(project);
  scope.get(`/repos/${REPO}/tarball/${commit}`).reply(200, bytes, {
    "content-type": "application/x-gzip",
  });
}

export function serveConfig(scope: nock.Scope, commit: string, text: string, times = 1) {
  scope.get(`${CONTENTS}/.github%2Fpylot.yml`).query({ ref: commit }).times(times).reply(200, text);
}

export interface TestPylot {
  readonly probot: Probot;
  readonly app: PylotApp;
  readonly services: PylotServices;
  readonly store: Store;
  receive(name: string, payload: unknown, id?: string): Promise<void>;
  /** The pipeline of a commit once it completed and its check run writes are done. */
  settle(commit: string): Promise<PipelineView>;
  close(): Promise<void>;
}

let deliveries = 0;

/**
 * The real app (store, engine, local runner) behind Probot, with GitHub stubbed by nock; the
 * store is an in-memory SQLite one unless `databaseUrl` names another or `store` is given (it
 * is closed with the app).
 */
export async function startPylot(
  env: Record<string, string> = {},
  options: { readonly databaseUrl?: string; readonly store?: Store } = {},
): Promise<TestPylot> {
  const workdir = await mkdtemp(join(tmpdir(), "pylot-app-"));
  const store =
    options.store ??
    (await openStore({ url: options.databaseUrl ?? "sqlite::memory:", logger: silentLog }));
  const probot = newProbot();
  const app = createPylotApp({
    routes,
    store,
    handleSignals: false,
    env: {
      PYLOT_WORKDIR: workdir,
      PYLOT_PYTHONS: "3.11=/usr/bin/python3",
      PYLOT_CONCURRENCY: "2",
      PYLOT_PUBLIC_URL: "https://pylot.example/",
      ...env,
    },
  });
  await probot.load(app, { cwd: process.cwd(), addHandler: () => undefined });
  const services = await app.services();
  type Event = Parameters<Probot["receive"]>[0];
  return {
    probot,
    app,
    services,
    store,
    async receive(name, payload, id) {
      deliveries += 1;
      // The one cast of the tests: example payloads are typed by @octokit/webhooks-types.
      await probot.receive({ id: id ?? `delivery-${deliveries}`, name, payload } as Event);
    },
    async settle(commit) {
      const pipeline = await store.findPipelineBySha(REPO, commit);
      if (pipeline === undefined) throw new Error(`no pipeline for ${commit}`);
      const view = await services.engine.waitForPipeline(pipeline.id);
      await services.engine.idle();
      await services.reporters.idle();
      return view;
    },
    async close() {
      await app.close();
      await rm(workdir, { recursive: true, force: true });
    },
  };
}

/**
 * The real app for every test of a file: started before each test, closed after it. Returns a
 * getter, since each test gets its own app.
 */
export function usePylot(env: Record<string, string> = {}): () => TestPylot {
  let current: TestPylot | undefined;
  beforeEach(async () => {
    current = await startPylot(env);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error("usePylot: the app exists only inside a test");
    return current;
  };
}

/** A config whose pipeline is one quick test leg on the `ok` fixture: for flows, not tools. */
export const QUICK = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c 'import okcalc'", coverage: false }
`;
