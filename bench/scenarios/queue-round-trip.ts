import { access } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { info, ms, ran, ratio, type Figure, type Scenario } from "../lib/figures.js";
import { baseEnv, runChild, tail } from "../lib/processes.js";

const REDIS_URL = process.env.PYLOT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether something answers PING at the URL within a second (any reply counts: it is there). */
function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => {
      done(false);
    });
    socket.once("error", () => {
      done(false);
    });
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", () => {
      done(true);
    });
  });
}

const THROUGHPUT = /^throughput: (\d+) no-op jobs, (\d+) jobs\/s/m;
const ROUND_TRIP = (label: string) =>
  new RegExp(
    `^round trip, ${label}.*?: queue ([\\d.]+) ms, local ([\\d.]+) ms, overhead (-?[\\d.]+) ms`,
    "m",
  );

/** bench/queue.ts prints three lines; each becomes figures, or stays a raw line if it changed. */
function figuresOf(stdout: string): Figure[] {
  const figures: Figure[] = [];
  const rate = THROUGHPUT.exec(stdout);
  if (rate !== null)
    figures.push(
      info(`BullMQ throughput, ${rate[1] ?? ""} no-op jobs`, `${rate[2] ?? ""} jobs/s`, true),
    );
  for (const [label, name] of [
    ["no-op executor", "no-op job"],
    ["real executor", "trivial real job"],
  ] as const) {
    const trip = ROUND_TRIP(label).exec(stdout);
    if (trip === null) continue;
    const [queue, local, added] = [Number(trip[1]), Number(trip[2]), Number(trip[3])];
    figures.push(
      info(
        `${name} round trip: queue vs local pool`,
        `${ms(queue)} vs ${ms(local)} (${ratio(queue, local)})`,
        true,
      ),
      info(`  added by the queue per ${name}`, ms(added), true),
    );
  }
  if (figures.length === 0)
    for (const line of stdout.trim().split("\n")) figures.push(info("bench/queue.ts", line, true));
  return figures;
}

export const queueRoundTrip: Scenario = {
  id: 7,
  title: "Queue round-trip",
  run: async (context) => {
    const script = join(context.root, "bench/queue.ts");
    if (
      !(await access(script).then(
        () => true,
        () => false,
      ))
    )
      return { kind: "skipped", reason: "bench/queue.ts is not there yet" };
    if (!(await redisAnswers(REDIS_URL)))
      return {
        kind: "skipped",
        reason: `no Redis answers at ${REDIS_URL} (set PYLOT_TEST_REDIS_URL)`,
      };
    const sizes = context.quick
      ? { BENCH_JOBS: "300", BENCH_ROUND_TRIPS: "5", BENCH_REAL_ROUND_TRIPS: "3" }
      : { BENCH_JOBS: "2000", BENCH_ROUND_TRIPS: "20", BENCH_REAL_ROUND_TRIPS: "10" };
    const run = await runChild([process.execPath, "--import", "tsx", script], {
      cwd: context.root,
      env: baseEnv({ PYLOT_TEST_REDIS_URL: REDIS_URL, ...sizes }),
      timeoutMs: 240_000,
    });
    if (run.code !== 0) {
      const first = /^\w*Error: .*$/m.exec(run.stderr)?.[0] ?? tail(run.stderr, 5);
      throw new Error(`bench/queue.ts exited ${run.code}: ${first}`);
    }
    return ran(figuresOf(run.stdout), [
      `bench/queue.ts (its author's), Redis at ${REDIS_URL}, ${sizes.BENCH_JOBS} jobs for throughput, ` +
        `medians of ${sizes.BENCH_ROUND_TRIPS} / ${sizes.BENCH_REAL_ROUND_TRIPS} round trips`,
    ]);
  },
};
