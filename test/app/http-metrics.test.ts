import { afterEach, describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import { CONTENTS, pushPayload, serveTarball, sha, QUICK } from "../helpers/github-app.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";

const gh = useGitHubStubWithServer();
let pylot: PylotServer;

afterEach(async () => {
  await pylot.close();
});

/** The value of one series in Prometheus' text format, labels in any order. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? "").matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value))
      return Number(match[3]);
  }
  return undefined;
}

async function metrics(headers: Record<string, string> = {}): Promise<string> {
  const response = await pylot.get("/metrics", headers);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** Serves a push's config (with a rate limit header) and source, and stubs check runs. */
async function serveQuickPush(commit: string): Promise<void> {
  const api = gh.api();
  api
    .get(`${CONTENTS}/.github%2Fpylot.yml`)
    .query({ ref: commit })
    .reply(200, QUICK, { "x-ratelimit-remaining": "4987" });
  await serveTarball(api, commit, "ok");
  fakeChecks();
}

describe("GET /metrics", () => {
  it("has the webhook, pipeline, job, queue, GitHub and process series after a pipeline ran", async () => {
    pylot = await startPylotServer();
    const head = sha("d1");
    await serveQuickPush(head);
    await pylot.receive("push", pushPayload(head, "refs/heads/feature"));
    await pylot.settle(head);

    const text = await metrics();

    expect({
      webhooks: sample(text, "pylot_webhooks_total", { event: "push", outcome: "processed" }),
      pipelines: sample(text, "pylot_pipelines_total", { conclusion: "success" }),
      jobs: sample(text, "pylot_jobs_total", { kind: "test", conclusion: "success" }),
      durations: sample(text, "pylot_job_duration_seconds_count", { kind: "test" }),
      depth: sample(text, "pylot_queue_depth"),
      remaining: sample(text, "pylot_github_rate_limit_remaining", { installation: "1" }),
    }).toEqual({ webhooks: 1, pipelines: 1, jobs: 1, durations: 1, depth: 0, remaining: 4987 });
    expect(sample(text, "pylot_github_requests_total", { status: "200" })).toBeGreaterThanOrEqual(
      2,
    );
    expect(sample(text, "pylot_github_requests_total", { status: "201" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, "pylot_process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(text).toContain("# TYPE pylot_job_duration_seconds histogram");
  });

  it("counts a duplicate delivery, and a handler failure with GitHub's status", async () => {
    pylot = await startPylotServer();
    const head = sha("e2");
    await serveQuickPush(head);
    const payload = pushPayload(head, "refs/heads/feature");
    await pylot.receive("push", payload, "twice");
    await pylot.receive("push", payload, "twice");
    await pylot.settle(head);
    const broken = sha("f3");
    gh.api().get(`${CONTENTS}/.github%2Fpylot.yml`).query({ ref: broken }).reply(502);
    await expect(pylot.receive("push", pushPayload(broken, "refs/heads/x"))).rejects.toThrow();

    const text = await metrics();

    const outcome = (o: string) =>
      sample(text, "pylot_webhooks_total", { event: "push", outcome: o });
    expect([outcome("processed"), outcome("duplicate"), outcome("failed")]).toEqual([1, 1, 1]);
    expect(sample(text, "pylot_github_requests_total", { status: "502" })).toBe(1);
  });

  it("counts a delivery with a forged signature as rejected, under no event name", async () => {
    pylot = await startPylotServer();

    const reply = await pylot.deliver("push", pushPayload(sha("a4")), { secret: "forged" });
    const text = await metrics();

    expect(reply.status).toBe(400);
    expect(sample(text, "pylot_webhooks_total", { event: "unverified", outcome: "rejected" })).toBe(
      1,
    );
    expect(sample(text, "pylot_webhooks_total", { event: "push" })).toBeUndefined();
  });

  it("wants PYLOT_METRICS_TOKEN as a Bearer token when it is set", async () => {
    pylot = await startPylotServer({ env: { PYLOT_METRICS_TOKEN: "scrape-me" } });

    const answers = await Promise.all([
      pylot.get("/metrics"),
      pylot.get("/metrics", { authorization: "Bearer wrong" }),
      pylot.get("/metrics", { authorization: "scrape-me" }),
      pylot.get("/metrics", { authorization: "Bearer scrape-me" }),
    ]);

    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 200]);
    expect(answers[0].headers.get("www-authenticate")).toBe('Bearer realm="pylot"');
  });

  it("keeps each app instance's series apart (no global registry)", async () => {
    pylot = await startPylotServer();
    const head = sha("b5");
    await serveQuickPush(head);
    await pylot.receive("push", pushPayload(head, "refs/heads/feature"));
    await pylot.settle(head);
    await pylot.close();
    pylot = await startPylotServer();

    const text = await metrics();

    expect(sample(text, "pylot_webhooks_total", { event: "push" })).toBeUndefined();
  });
});
