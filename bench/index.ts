/**
 * `npm run bench [-- --quick] [-- --only 1,4]`: the scenarios of docs/benchmarks.md, each
 * printing its figures beside their goals, then one closing table. A scenario that cannot run
 * here (no Redis) is skipped with the reason; one that breaks is reported and makes the exit
 * status 1. Goals not met do not: they are figures, not failures.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureBuilt } from "./lib/app-server.js";
import {
  renderFigures,
  renderTable,
  summaryRows,
  type Scenario,
  type ScenarioContext,
  type ScenarioOutcome,
  type ScenarioReport,
} from "./lib/figures.js";
import { firstCheckRun } from "./scenarios/first-check-run.js";
import { githubRequests } from "./scenarios/github-requests.js";
import { matrixMakespan } from "./scenarios/matrix-makespan.js";
import { queueRoundTrip } from "./scenarios/queue-round-trip.js";
import { reportParsing } from "./scenarios/report-parsing.js";
import { runnerOverhead } from "./scenarios/runner-overhead.js";
import { webhookBurst } from "./scenarios/webhook-burst.js";

const SCENARIOS: readonly Scenario[] = [
  webhookBurst,
  firstCheckRun,
  githubRequests,
  runnerOverhead,
  matrixMakespan,
  reportParsing,
  queueRoundTrip,
];
/** Scenarios that run the built app or CLI (dist/). */
const NEEDS_BUILD = new Set([1, 2, 3, 4, 5]);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The 1-minute load average: other work on the machine skews every figure. */
function load(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}

function selected(only: string | undefined): readonly Scenario[] {
  if (only === undefined) return SCENARIOS;
  const ids = new Set(only.split(",").map((id) => Number(id.trim())));
  return SCENARIOS.filter((scenario) => ids.has(scenario.id));
}

async function runOne(scenario: Scenario, context: ScenarioContext): Promise<ScenarioReport> {
  say(`\n== ${scenario.id}. ${scenario.title}`);
  const started = performance.now();
  const outcome: ScenarioOutcome = await scenario.run(context).catch((error: unknown) => ({
    kind: "error" as const,
    message: error instanceof Error ? error.message : String(error),
  }));
  const seconds = (performance.now() - started) / 1000;
  switch (outcome.kind) {
    case "ran":
      for (const row of renderFigures(outcome.figures)) say(row);
      for (const note of outcome.notes) say(`  note: ${note}`);
      break;
    case "skipped":
      say(`  skipped: ${outcome.reason}`);
      break;
    case "error":
      say(`  ERROR: ${outcome.message}`);
      break;
  }
  say(`  (${seconds.toFixed(1)} s)`);
  return { scenario, outcome, seconds };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
  });
  const root = resolve(import.meta.dirname, "..");
  const quick = values.quick;
  const scenarios = selected(values.only);
  say(
    `pylot bench${quick ? " --quick" : ""}: ${new Date().toISOString()}, ${availableParallelism()} cores, ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, load average ${load()}`,
  );
  const started = performance.now();
  if (scenarios.some((s) => NEEDS_BUILD.has(s.id))) {
    const build = await ensureBuilt(root);
    if (build.kind === "fresh") say("dist/ is up to date");
    else say(`built dist/ in ${(build.ms / 1000).toFixed(1)} s`);
    if (build.kind === "built-with-errors")
      say(`  tsc reported errors (dist/ emitted anyway):\n${build.errors}`);
  }
  const scratch = await mkdtemp(join(tmpdir(), "pb-"));
  const reports: ScenarioReport[] = [];
  try {
    for (const scenario of scenarios)
      reports.push(await runOne(scenario, { quick, root, scratch, say }));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const took = ((performance.now() - started) / 1000).toFixed(0);
  say(`\n== Summary (${took} s${quick ? ", quick" : ""}, load average now ${load()})`);
  for (const row of renderTable(["scenario", "figure", "goal", "met?"], summaryRows(reports)))
    say(row);
  return reports.some((r) => r.outcome.kind === "error") ? 1 : 0;
}

process.exitCode = await main();
