import { z } from "zod";
import { info, median, mib, ms, ran, type Figure, type Scenario } from "../lib/figures.js";
import { baseEnv, runChild, tail } from "../lib/processes.js";

const PARSE_GOAL_MS = 2000;
const STALL_GOAL_MS = 100;
const COVERAGE_MB = 20;
const BANDIT_RESULTS = 10_000;

/** A TypeScript bench script in its own process, with its peak memory reported (peak-rss.ts). */
async function runScript(root: string, args: readonly string[]) {
  const run = await runChild(
    [process.execPath, "--import", "tsx", "--import", "./bench/lib/peak-rss.ts", ...args],
    { cwd: root, env: baseEnv(), timeoutMs: 180_000 },
  );
  if (run.code !== 0)
    throw new Error(`${args[0] ?? ""} failed (exit ${run.code}):\n${tail(run.stderr)}`);
  const peakKib = Number(/peak-rss-kib (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
  return { stdout: run.stdout, peakBytes: peakKib * 1024 };
}

const WORKER_RUN =
  /^worker run \d+: (\d+) ms total, max event-loop stall ([\d.]+) ms.*correct: (\w+)$/gm;

/** bench/reports.ts, as its author wrote it: its lines are read back into figures. */
async function coverageXml(root: string): Promise<Figure[]> {
  const { stdout, peakBytes } = await runScript(root, ["bench/reports.ts", String(COVERAGE_MB)]);
  const runs = [...stdout.matchAll(WORKER_RUN)].map(([, total = "", stall = "", correct]) => ({
    ms: Number(total),
    stallMs: Number(stall),
    correct: correct === "true",
  }));
  if (runs.length === 0)
    throw new Error(`bench/reports.ts printed no worker runs:\n${tail(stdout)}`);
  const parse = median(runs.map((r) => r.ms));
  const stall = Math.max(...runs.map((r) => r.stallMs));
  const inline = /^inline \(same thread\), for comparison: (.*)$/m.exec(stdout)?.[1] ?? "n/a";
  return [
    info("coverage.xml", /^file: (.*)$/m.exec(stdout)?.[1] ?? `${COVERAGE_MB} MiB`),
    {
      name: "coverage.xml parse (worker), median",
      value: ms(parse),
      goal: `< ${PARSE_GOAL_MS} ms`,
      met: parse < PARSE_GOAL_MS,
    },
    {
      name: "coverage.xml longest event-loop stall",
      value: ms(stall),
      goal: `< ${STALL_GOAL_MS} ms`,
      met: stall < STALL_GOAL_MS,
    },
    {
      name: "coverage.xml parsed correctly",
      value: runs.every((r) => r.correct) ? "yes" : "no",
      goal: "yes",
      met: runs.every((r) => r.correct),
    },
    info("  same parse inline on the loop, for comparison", inline),
    info("  peak memory of the whole process", mib(peakBytes)),
  ];
}

const BanditOutput = z.object({
  bytes: z.number(),
  results: z.number(),
  runs: z.array(
    z.object({
      ms: z.number(),
      stallMs: z.number(),
      findings: z.number(),
      peakRiseKib: z.number(),
    }),
  ),
});

async function banditJson(root: string, scratch: string): Promise<Figure[]> {
  const { stdout, peakBytes } = await runScript(root, [
    "bench/lib/bandit-parse.ts",
    String(BANDIT_RESULTS),
    scratch,
  ]);
  const out = BanditOutput.parse(JSON.parse(stdout));
  const parse = median(out.runs.map((r) => r.ms));
  const stall = Math.max(...out.runs.map((r) => r.stallMs));
  const correct = out.runs.every((r) => r.findings === out.results);
  return [
    info("bandit.json", `${mib(out.bytes)}, ${out.results} results`),
    {
      name: "bandit.json parse (worker), median",
      value: ms(parse),
      goal: `< ${PARSE_GOAL_MS} ms`,
      met: parse < PARSE_GOAL_MS,
    },
    {
      name: "bandit.json longest event-loop stall",
      value: ms(stall),
      goal: `< ${STALL_GOAL_MS} ms`,
      met: stall < STALL_GOAL_MS,
    },
    {
      name: "bandit.json findings",
      value: `${out.runs[0]?.findings ?? 0} / ${out.results}`,
      goal: "all",
      met: correct,
    },
    info("  peak memory rise during the first parse", mib((out.runs[0]?.peakRiseKib ?? 0) * 1024)),
    info("  peak memory of the whole process", mib(peakBytes)),
  ];
}

export const reportParsing: Scenario = {
  id: 6,
  title: "Report parsing",
  run: async (context) =>
    ran(
      [...(await coverageXml(context.root)), ...(await banditJson(context.root, context.scratch))],
      [
        "bench/reports.ts (its author's): parseReportFile on a generated coverage.py-shaped coverage.xml, 3 runs; " +
          "stall = monitorEventLoopDelay max",
        "both run from source through tsx, as bench/reports.ts does: the parse worker compiles its TypeScript first " +
          "(the built App does not)",
      ],
    ),
};
