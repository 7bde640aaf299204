import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import { createPylotApp, type PylotServices } from "../../src/app.js";
import type { Store } from "../../src/engine/ports.js";
import { routes } from "../../src/index.js";
import { openStore } from "../../src/store/index.js";
import { REPO } from "../helpers/github-app.js";
import { silentLog } from "../helpers/github.js";

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

/** What the throttling plugin told us: which limit, and the wait in seconds it asked for. */
export type LimitCall = readonly ["secondary" | "primary", number];

export interface RetryingPylot {
  readonly store: Store;
  readonly services: PylotServices;
  readonly limits: LimitCall[];
  receive(name: string, payload: unknown): Promise<void>;
  settle(commit: string): Promise<void>;
  close(): Promise<void>;
}

let deliveries = 0;

/**
 * The real app behind a Probot whose Octokit keeps its retry and throttling plugins on (the
 * test helper turns them off), with waits scaled from seconds to 10 ms so tests stay short.
 */
export async function startRetryingPylot(): Promise<RetryingPylot> {
  const limits: LimitCall[] = [];
  const Octokit = ProbotOctokit.defaults((options: OctokitOptions): OctokitOptions => ({
    ...options,
    retry: { retryAfterBaseValue: 10 },
    throttle: {
      ...(options.throttle as object | undefined),
      retryAfterBaseValue: 10,
      onSecondaryRateLimit: (retryAfter: number, _o: unknown, _k: unknown, count: number) => {
        limits.push(["secondary", retryAfter]);
        return count < 3;
      },
      onRateLimit: (retryAfter: number, _o: unknown, _k: unknown, count: number) => {
        limits.push(["primary", retryAfter]);
        return count < 3;
      },
    },
  }));
  const workdir = await mkdtemp(join(tmpdir(), "pylot-faults-"));
  const store = await openStore({ url: "sqlite::memory:", logger: silentLog });
  const probot = new Probot({ githubToken: "test-token", Octokit, log: silentLog });
  const app = createPylotApp({
    routes,
    store,
    handleSignals: false,
    env: {
      PYLOT_WORKDIR: workdir,
      PYLOT_PYTHONS: "3.11=/usr/bin/python3",
      PYLOT_CONCURRENCY: "2",
      PYLOT_PUBLIC_URL: "https://pylot.example/",
    },
  });
  await probot.load(app, { cwd: process.cwd(), addHandler: () => undefined });
  const services = await app.services();
  type Event = Parameters<Probot["receive"]>[0];
  return {
    store,
    services,
    limits,
    async receive(name, payload) {
      deliveries += 1;
      await probot.receive({ id: `fault-${deliveries}`, name, payload } as Event);
    },
    async settle(commit) {
      const pipeline = await store.findPipelineBySha(REPO, commit);
      if (pipeline === undefined) throw new Error(`no pipeline for ${commit}`);
      await services.engine.waitForPipeline(pipeline.id);
      await services.engine.idle();
      await services.reporters.idle();
    },
    async close() {
      await app.close();
      await rm(workdir, { recursive: true, force: true });
    },
  };
}
