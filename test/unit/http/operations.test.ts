import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_GRACE_SECONDS,
  Lifecycle,
  bearerMatches,
  checkReadiness,
  drain,
  installationLabel,
  isUnverifiedDelivery,
  pylotLogger,
  readOpsSettings,
  summarize,
} from "../../../src/http/index.js";
import { jobRecord, jobSpec } from "../../helpers/store-contract.js";

const silent = pino({ level: "silent" });

describe("readOpsSettings", () => {
  it.each([
    { env: {}, graceMs: DEFAULT_GRACE_SECONDS * 1000 },
    { env: { PYLOT_SHUTDOWN_GRACE_SECONDS: "5" }, graceMs: 5000 },
    { env: { PYLOT_SHUTDOWN_GRACE_SECONDS: "0" }, graceMs: 0 },
    { env: { PYLOT_SHUTDOWN_GRACE_SECONDS: "-1" }, graceMs: 30_000 },
    { env: { PYLOT_SHUTDOWN_GRACE_SECONDS: "soon" }, graceMs: 30_000 },
  ])("grace from $env is $graceMs ms", ({ env, graceMs }) => {
    expect(readOpsSettings(env).graceMs).toBe(graceMs);
  });

  it("reads secrets and URLs, treating empty values as unset", () => {
    const settings = readOpsSettings({
      PYLOT_BADGE_SECRET: "b",
      PYLOT_METRICS_TOKEN: "",
      PYLOT_REDIS_URL: "redis://r:6379",
    });

    expect(settings).toEqual({
      badgeSecret: "b",
      metricsToken: undefined,
      redisUrl: "redis://r:6379",
      graceMs: 30_000,
    });
  });
});

describe("bearerMatches", () => {
  it.each([
    ["Bearer tok", true],
    ["Bearer tok ", false],
    ["bearer tok", false],
    ["tok", false],
    [undefined, false],
    ["Bearer tol", false],
  ])("%s → %s", (header, matches) => {
    expect(bearerMatches(header, "tok")).toBe(matches);
  });
});

describe("readiness", () => {
  it.each([
    { results: { store: { ok: true } }, ready: true, reason: undefined },
    {
      results: { store: { ok: false, reason: "gone" }, redis: { ok: false, reason: "refused" } },
      ready: false,
      reason: "store: gone",
    },
    {
      results: { store: { ok: true }, redis: { ok: false, reason: "refused" } },
      ready: false,
      reason: "redis: refused",
    },
  ] as const)("summarizes $results", ({ results, ready, reason }) => {
    const readiness = summarize(results);

    expect(readiness.ready).toBe(ready);
    expect(readiness.reason).toBe(reason);
  });

  it("fails a check that does not answer in time", async () => {
    const store = { ping: () => new Promise<void>(() => undefined) };

    const readiness = await checkReadiness({ store, draining: () => false, timeoutMs: 10 });

    expect(readiness).toEqual({
      ready: false,
      reason: "store: no answer within 10 ms",
      checks: { store: "no answer within 10 ms" },
    });
  });

  it("is not ready once draining, without asking anyone", async () => {
    const store = { ping: () => Promise.reject(new Error("must not be asked")) };

    const readiness = await checkReadiness({ store, draining: () => true, timeoutMs: 10 });

    expect(readiness).toEqual({
      ready: false,
      reason: "shutting down",
      checks: { shutdown: "draining" },
    });
  });
});

describe("Lifecycle", () => {
  const job = (state: "queued" | "in_progress" | "completed") => ({
    ...jobRecord("p", jobSpec("lint")),
    state,
  });

  it("is idle once open jobs completed and deliveries were handled", async () => {
    const lifecycle = new Lifecycle();
    lifecycle.observer.jobChanged?.(job("queued"));
    const leave = lifecycle.enterDelivery();
    let idle = false;
    const waiting = lifecycle.idle().then(() => {
      idle = true;
    });

    lifecycle.observer.jobChanged?.(job("in_progress"));
    leave();
    leave();
    const midway = idle;
    lifecycle.observer.jobChanged?.(job("completed"));
    await waiting;

    expect(midway).toBe(false);
    expect([lifecycle.openJobs, lifecycle.openDeliveries]).toEqual([0, 0]);
  });

  it("does not wait for jobs that run elsewhere (the queue's runners)", async () => {
    const lifecycle = new Lifecycle({ trackJobs: false });
    lifecycle.observer.jobChanged?.(job("in_progress"));

    const outcome = await drain(lifecycle, { graceMs: 60_000, logger: silent });

    expect(outcome).toBe("idle");
  });

  it("drains at once when idle, and gives up after the grace period otherwise", async () => {
    const idle = new Lifecycle();
    const busy = new Lifecycle();
    busy.observer.jobChanged?.(job("in_progress"));

    const outcomes = [
      await drain(idle, { graceMs: 60_000, logger: silent }),
      await drain(busy, { graceMs: 0, logger: silent }),
    ];

    expect(outcomes).toEqual(["idle", "grace-expired"]);
    expect([idle.draining, busy.draining]).toEqual([true, true]);
  });
});

describe("webhook error and payload helpers", () => {
  it.each([
    { what: "a signature failure", error: signatureFailure(), unverified: true },
    {
      what: "a handler failure",
      error: new AggregateError([Object.assign(new Error("boom"), { event: { payload: {} } })]),
      unverified: false,
    },
    { what: "a plain error", error: new Error("x"), unverified: false },
    { what: "not an error", error: "x", unverified: false },
  ])("$what is unverified: $unverified", ({ error, unverified }) => {
    expect(isUnverifiedDelivery(error)).toBe(unverified);
  });

  it.each([
    [{ installation: { id: 42 } }, "42"],
    [{ installation: { id: "42" } }, "none"],
    [{ installation: null }, "none"],
    [{}, "none"],
    [null, "none"],
  ])("installation label of %j is %s", (payload, label) => {
    expect(installationLabel(payload)).toBe(label);
  });
});

/** What @octokit/webhooks hands error listeners when a signature does not match. */
function signatureFailure(): AggregateError {
  const raw = { id: "d", name: "push", payload: '{"x":1}', signature: "sha256=00" };
  const inner = Object.assign(new Error("signature does not match"), { event: raw, status: 400 });
  return Object.assign(new AggregateError([inner], inner.message), { event: inner });
}

describe("pylotLogger", () => {
  it("censors keys, tokens, secrets and authorization headers in its lines and children's", () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pylotLogger(pino(sink));

    log.info({ privateKey: "-----BEGIN", req: { headers: { authorization: "token x" } } }, "a");
    log.child({ job: "j" }).warn({ token: "ghs_x", request: { secrets: { K: "v" } } }, "b");

    expect(lines).toMatchObject([
      {
        name: "pylot",
        privateKey: "[redacted]",
        req: { headers: { authorization: "[redacted]" } },
      },
      { job: "j", token: "[redacted]", request: { secrets: "[redacted]" } },
    ]);
  });
});
