/**
 * Queue benchmark: `npx tsx bench/queue.ts` (Redis from PYLOT_TEST_REDIS_URL, default local).
 *
 * 1. Throughput: no-op jobs through BullMQ (dispatcher → run queue → runner → results queue →
 *    dispatcher), jobs per second end to end.
 * 2. Round trip of one job at a time, through the queue and through the local pool, with the same
 *    JobExecutor: a no-op one (pure dispatch cost) and the real one on a trivial job (a venv).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import {
  createLocalDispatcher,
  createQueueDispatcher,
  createQueueRunner,
} from "../src/dispatch/index.js";
import type { DispatchEvents, DispatchRequest, JobExecutor } from "../src/engine/ports.js";
import type { JobResult } from "../src/pipeline/types.js";
import { createLocalExecutor } from "../src/runner/index.js";
import { removeKeys, TEST_REDIS_URL, uniquePrefix } from "../test/helpers/redis.js";

const logger = pino({ level: "silent" });
const THROUGHPUT_JOBS = Number(process.env.BENCH_JOBS ?? 2_000);
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 20);
const REAL_ROUND_TRIPS = Number(process.env.BENCH_REAL_ROUND_TRIPS ?? 10);
const CONCURRENCY = 16;

function request(n: number, source = "/tmp"): DispatchRequest {
  const key = `job-${n}`;
  return {
    jobId: `bench:${key}`,
    attempt: 1,
    pipelineId: "bench",
    spec: {
      key,
      name: key,
      kind: "test",
      leg: { python: "3.12", os: "linux", extra: {} },
      needs: [],
      install: [],
      systemSitePackages: false,
      steps: [],
      timeoutMs: 60_000,
      matrix: true,
    },
    source: { kind: "dir", path: source },
    sha: "bench",
    ref: "refs/heads/main",
    secrets: {},
  };
}

const noop: JobExecutor = {
  execute(job, { onStart }) {
    onStart();
    const now = new Date().toISOString();
    return Promise.resolve({
      jobId: job.jobId,
      attempt: job.attempt,
      conclusion: "success",
      summary: "nothing",
      startedAt: now,
      finishedAt: now,
      logTail: "",
      steps: [],
      reports: {},
      timings: {},
    });
  },
};

/** DispatchEvents that resolve a promise per job when its result arrives. */
function finishLine() {
  const waiting = new Map<string, (result: JobResult) => void>();
  const early = new Map<string, JobResult>();
  const events: DispatchEvents = {
    started: () => Promise.resolve(),
    finished: (result) => {
      const done = waiting.get(result.jobId);
      if (done === undefined) early.set(result.jobId, result);
      else done(result);
      return Promise.resolve();
    },
  };
  const result = (jobId: string) =>
    new Promise<JobResult>((done) => {
      const arrived = early.get(jobId);
      if (arrived === undefined) waiting.set(jobId, done);
      else done(arrived);
    });
  return { events, result };
}

interface Pair {
  readonly name: string;
  readonly enqueue: (job: DispatchRequest) => Promise<void>;
  readonly result: (jobId: string) => Promise<JobResult>;
  readonly close: () => Promise<void>;
}

async function queuePair(executor: JobExecutor, prefix: string): Promise<Pair> {
  const line = finishLine();
  const dispatcher = createQueueDispatcher({
    connection: TEST_REDIS_URL,
    prefix,
    events: line.events,
    logger,
    resultConcurrency: CONCURRENCY,
  });
  const runner = createQueueRunner({
    connection: TEST_REDIS_URL,
    prefix,
    name: "bench",
    pythons: ["3.12"],
    labels: ["linux"],
    concurrency: CONCURRENCY,
    executor,
    logger,
  });
  await Promise.all([dispatcher.ready(), runner.ready()]);
  return {
    name: "queue",
    enqueue: (job) => dispatcher.enqueue(job),
    result: line.result,
    close: async () => {
      await runner.close();
      await dispatcher.close();
    },
  };
}

function localPair(executor: JobExecutor): Pair {
  const line = finishLine();
  const dispatcher = createLocalDispatcher({
    executor,
    concurrency: CONCURRENCY,
    events: line.events,
    logger,
  });
  return {
    name: "local",
    enqueue: (job) => dispatcher.enqueue(job),
    result: line.result,
    close: () => dispatcher.close(),
  };
}

async function throughput(prefix: string): Promise<number> {
  const pair = await queuePair(noop, prefix);
  const jobs = Array.from({ length: THROUGHPUT_JOBS }, (_, n) => request(n));
  const started = performance.now();
  const results = jobs.map((job) => pair.result(job.jobId));
  for (const job of jobs) await pair.enqueue(job);
  await Promise.all(results);
  const seconds = (performance.now() - started) / 1000;
  await pair.close();
  return THROUGHPUT_JOBS / seconds;
}

/** Median milliseconds from enqueue to result, one job at a time, after one warm-up job. */
async function roundTrip(pair: Pair, count: number, source: string): Promise<number> {
  const times: number[] = [];
  for (let n = -1; n < count; n += 1) {
    const job = request(100_000 + n, source);
    const started = performance.now();
    const result = pair.result(job.jobId);
    await pair.enqueue(job);
    const { conclusion, summary } = await result;
    if (conclusion !== "success") throw new Error(`bench job failed: ${summary}`);
    if (n >= 0) times.push(performance.now() - started);
  }
  await pair.close();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

function line(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function main(): Promise<void> {
  const prefixes = [uniquePrefix(), uniquePrefix(), uniquePrefix()] as const;
  const workdir = await mkdtemp(join(tmpdir(), "pylot-bench-"));
  const project = resolve(import.meta.dirname, "../test/fixtures/projects/multi");
  try {
    const rate = await throughput(prefixes[0]);
    line(`throughput: ${THROUGHPUT_JOBS} no-op jobs, ${rate.toFixed(0)} jobs/s end to end`);

    const noopQueue = await roundTrip(await queuePair(noop, prefixes[1]), ROUND_TRIPS, "/tmp");
    const noopLocal = await roundTrip(localPair(noop), ROUND_TRIPS, "/tmp");
    line(
      `round trip, no-op executor (median of ${ROUND_TRIPS}): queue ${noopQueue.toFixed(1)} ms, ` +
        `local ${noopLocal.toFixed(2)} ms, overhead ${(noopQueue - noopLocal).toFixed(1)} ms`,
    );

    const real = createLocalExecutor({ workdir, logger });
    const realQueue = await roundTrip(
      await queuePair(real, prefixes[2]),
      REAL_ROUND_TRIPS,
      project,
    );
    const realLocal = await roundTrip(localPair(real), REAL_ROUND_TRIPS, project);
    const overhead = realQueue - realLocal;
    line(
      `round trip, real executor, trivial job (median of ${REAL_ROUND_TRIPS}): ` +
        `queue ${realQueue.toFixed(0)} ms, local ${realLocal.toFixed(0)} ms, ` +
        `overhead ${overhead.toFixed(1)} ms (${((overhead / realLocal) * 100).toFixed(1)} %)`,
    );
  } finally {
    for (const prefix of prefixes) await removeKeys(prefix);
    await rm(workdir, { recursive: true, force: true });
  }
}

await main();
