import nock from "nock";
import { describe, expect, it } from "vitest";
import type { PipelineView } from "../../../src/engine/ports.js";
import {
  createMetrics,
  createOctokitInstrument,
  depthOf,
  jobSeconds,
  metricsObserver,
  observeReporter,
  rateLimitRemaining,
} from "../../../src/metrics/index.js";
import { recordingReporter } from "../../helpers/engine.js";
import { API, testOctokit, useGitHubStub } from "../../helpers/github.js";
import { jobRecord, jobSpec, pipelineRecord } from "../../helpers/store-contract.js";

const gh = useGitHubStub();

function metricsFor(depth = 3) {
  return createMetrics({ queueDepth: () => depth, processMetrics: false });
}

async function values(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = metrics.registry.getSingleMetric(name);
  return (await metric?.get())?.values.map((v) => ({ labels: v.labels, value: v.value }));
}

describe("observeReporter with metricsObserver", () => {
  const done = {
    ...jobRecord("p1", jobSpec("test-3.12-linux", { kind: "test" })),
    state: "completed" as const,
    conclusion: "failure" as const,
    startedAt: "2024-05-01T10:00:00.000Z",
    finishedAt: "2024-05-01T10:01:30.000Z",
  };
  const view: PipelineView = {
    pipeline: { ...pipelineRecord("p1"), status: "completed", conclusion: "failure" },
    jobs: [done],
  };

  it("counts completed jobs, their durations and pipelines, then tells the reporter", async () => {
    const metrics = metricsFor();
    const inner = recordingReporter();
    const reporter = observeReporter(inner, [metricsObserver(metrics)]);

    await reporter.jobChanged(view, { ...done, state: "in_progress", conclusion: null });
    await reporter.jobChanged(view, done);
    await reporter.pipelineCompleted(view);

    expect(await values(metrics, "pylot_jobs_total")).toEqual([
      { labels: { kind: "test", conclusion: "failure" }, value: 1 },
    ]);
    expect(await values(metrics, "pylot_pipelines_total")).toEqual([
      { labels: { conclusion: "failure" }, value: 1 },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pylot_job_duration_seconds_sum{kind="test"} 90');
    expect(inner.events.map((e) => e.kind)).toEqual(["job", "job", "completed"]);
  });

  it("still reports when an observer throws", async () => {
    const inner = recordingReporter();
    const broken = {
      jobChanged: () => {
        throw new Error("observer bug");
      },
    };
    const reporter = observeReporter(inner, [broken]);

    await reporter.jobChanged(view, done);

    expect(inner.events).toHaveLength(1);
  });

  it("reads the queue depth at scrape time", async () => {
    let depth = 2;
    const metrics = createMetrics({ queueDepth: () => depth, processMetrics: false });
    depth = 5;

    const text = await metrics.registry.metrics();

    expect(text).toContain("pylot_queue_depth 5");
  });
});

describe("createOctokitInstrument", () => {
  it("counts requests by status and keeps the rate limit GitHub reported", async () => {
    const metrics = metricsFor();
    const octokit = createOctokitInstrument(metrics)(testOctokit(), "42");
    gh.api()
      .get("/repos/octo/app")
      .reply(200, {}, { "x-ratelimit-remaining": "4321" })
      .get("/repos/octo/gone")
      .reply(404, { message: "Not Found" }, { "x-ratelimit-remaining": "4320" });

    await octokit.rest.repos.get({ owner: "octo", repo: "app" });
    await expect(octokit.rest.repos.get({ owner: "octo", repo: "gone" })).rejects.toThrow();

    expect(await values(metrics, "pylot_github_requests_total")).toEqual([
      { labels: { status: "200" }, value: 1 },
      { labels: { status: "404" }, value: 1 },
    ]);
    expect(await values(metrics, "pylot_github_rate_limit_remaining")).toEqual([
      { labels: { installation: "42" }, value: 4320 },
    ]);
  });

  it("hooks an instance once, however often it is handed out", async () => {
    const metrics = metricsFor();
    const instrument = createOctokitInstrument(metrics);
    const octokit = instrument(instrument(testOctokit(), "1"), "1");
    gh.api().get("/repos/octo/app").reply(200, {});

    await octokit.rest.repos.get({ owner: "octo", repo: "app" });

    expect(await values(metrics, "pylot_github_requests_total")).toEqual([
      { labels: { status: "200" }, value: 1 },
    ]);
  });

  it("counts a request that got no answer as network", async () => {
    const metrics = metricsFor();
    const octokit = createOctokitInstrument(metrics)(testOctokit(), "1");
    nock(API).get("/repos/octo/app").replyWithError("socket hang up");

    await expect(octokit.rest.repos.get({ owner: "octo", repo: "app" })).rejects.toThrow();

    expect(await values(metrics, "pylot_github_requests_total")).toEqual([
      { labels: { status: "network" }, value: 1 },
    ]);
  });
});

describe("small readers", () => {
  it.each([
    [{ "x-ratelimit-remaining": "12" }, 12],
    [{ "x-ratelimit-remaining": 7 }, 7],
    [{ "x-ratelimit-remaining": "lots" }, undefined],
    [{}, undefined],
    [undefined, undefined],
  ])("rate limit remaining of %j is %s", (headers, remaining) => {
    expect(rateLimitRemaining(headers)).toBe(remaining);
  });

  it.each([
    [{ depth: 4 }, 4],
    [{ depth: "4" }, undefined],
    [{}, undefined],
    [{ waiting: () => Promise.resolve(6) }, 6],
    [{ waiting: () => Promise.reject(new Error("Redis is down")) }, undefined],
  ])("queue depth of %j is %s", async (dispatcher, depth) => {
    expect(await depthOf(dispatcher)).toBe(depth);
  });

  it.each([
    [{ startedAt: "2024-01-01T00:00:00.000Z", finishedAt: "2024-01-01T00:00:02.500Z" }, 2.5],
    [{ startedAt: null, finishedAt: "2024-01-01T00:00:02.500Z" }, undefined],
    [{ startedAt: "2024-01-01T00:00:03.000Z", finishedAt: "2024-01-01T00:00:02.000Z" }, undefined],
    [{ startedAt: "garbage", finishedAt: "2024-01-01T00:00:02.000Z" }, undefined],
  ])("job seconds of %j is %s", (job, seconds) => {
    expect(jobSeconds(job)).toBe(seconds);
  });
});
