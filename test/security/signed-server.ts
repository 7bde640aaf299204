import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Probot } from "probot";
import { createPylotApp, type PylotApp } from "../../src/app.js";
import type { Store } from "../../src/engine/ports.js";
import { routes } from "../../src/index.js";
import { openStore } from "../../src/store/index.js";
import { TestOctokit, silentLog } from "../helpers/github.js";

export const SECRET = "security-suite-secret";

export interface SignedPylot {
  readonly app: PylotApp;
  readonly store: Store;
  /** POSTs a raw body to the webhook path with the given headers; answers the status. */
  post(body: string, headers: Record<string, string>): Promise<number>;
  /** POSTs a body stream (as a socket would deliver it); answers the status. */
  send(body: Readable, headers: Record<string, string>): Promise<number>;
  /** Waits for the commit's pipeline and its check run writes. */
  settle(commit: string): Promise<void>;
  close(): Promise<void>;
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * The real app behind Probot's own webhook middleware (signature check included), as
 * `probot run` mounts it; GitHub itself is nock.
 */
export async function startSignedPylot(): Promise<SignedPylot> {
  const workdir = await mkdtemp(join(tmpdir(), "pylot-sec-"));
  const store = await openStore({ url: "sqlite::memory:", logger: silentLog });
  const probot = new Probot({
    githubToken: "test-token",
    secret: SECRET,
    Octokit: TestOctokit,
    log: silentLog,
  });
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
  const middleware = await probot.getNodeMiddleware();
  const send = async (body: Readable, headers: Record<string, string>) => {
    // Probot's node middleware on an in-memory request: a socket would be a request the
    // GitHub stub helper reports as unexpected.
    const request = Object.assign(body, {
      method: "POST",
      url: "/api/github/webhooks",
      headers: { "content-type": "application/json", ...headers },
    });
    let status = 0;
    const response = {
      writeHead(code: number) {
        status = code;
        return { end: () => undefined };
      },
    };
    await middleware(request, response);
    return status;
  };
  return {
    app,
    store,
    post: (body, headers) => send(Readable.from([Buffer.from(body)]), headers),
    send,
    async settle(commit) {
      const pipeline = await store.findPipelineBySha("Codertocat/Hello-World", commit);
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
