/**
 * Parses a generated bandit JSON report with `count` results through parseReportFile (as the
 * App reads a job's report) and prints, as JSON, the parse time, the longest event-loop stall
 * meanwhile (monitorEventLoopDelay) and how much the process's peak memory rose.
 * Run: node --import tsx bench/lib/bandit-parse.ts <count> <scratch dir>
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseReportFile } from "../../src/reports/index.js";

const count = Number(process.argv[2] ?? 10_000);
const dir = await mkdtemp(join(process.argv[3] ?? "/tmp", "bandit-"));
const root = "/tmp/pylot-work/jobs/bench-1/src";
const LEVELS = ["LOW", "MEDIUM", "HIGH"] as const;

function result(n: number) {
  const line = 10 + (n % 400);
  return {
    code: `${line - 1} import subprocess\n${line} subprocess.call(cmd_${n}, shell=True)\n${line + 1} \n`,
    col_offset: 4,
    filename: `${root}/pkg/module_${n % 500}.py`,
    issue_confidence: LEVELS[(n + 1) % 3] ?? "HIGH",
    issue_severity: LEVELS[n % 3] ?? "LOW",
    issue_text: "subprocess call with shell=True identified, security issue.",
    line_number: line,
    line_range: [line],
    more_info:
      "https://bandit.readthedocs.io/en/latest/plugins/b602_subprocess_popen_with_shell_equals_true.html",
    test_id: "B602",
    test_name: "subprocess_popen_with_shell_equals_true",
  };
}

const report = {
  errors: [],
  generated_at: new Date().toISOString(),
  metrics: {},
  results: Array.from({ length: count }, (_, n) => result(n)),
};
const file = join(dir, "bandit.json");
const text = JSON.stringify(report, null, 2);
await writeFile(file, text);

async function once() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(20);
  const rssBefore = process.resourceUsage().maxRSS;
  const started = performance.now();
  const parsed = await parseReportFile(file, "bandit", { root });
  const ms = performance.now() - started;
  await sleep(20);
  histogram.disable();
  return {
    ms,
    stallMs: histogram.max / 1e6,
    findings: parsed.ok ? parsed.value.length : -1,
    peakRiseKib: process.resourceUsage().maxRSS - rssBefore,
  };
}

const runs = [];
for (let round = 0; round < 3; round += 1) runs.push(await once());
await rm(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ bytes: Buffer.byteLength(text), results: count, runs })}\n`,
);
