import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { info, median, ms, ran, ratio, sum, type Figure, type Scenario } from "../lib/figures.js";
import { TOOLS_PYTHON } from "../lib/lab.js";
import { baseEnv, runChild, tail } from "../lib/processes.js";
import { makeProject } from "../lib/projects.js";
import { pylotRun, type CliRun } from "../lib/pylot-cli.js";

const GOAL = 1.1;
const CONFIG = `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: {}, black: {}, pylint: false }
typecheck: { mypy: false }
security: { bandit: { paths: [okcalc] } }
test: { run: "python -m pytest", coverage: { minimum: 50 } }
`;

/**
 * The same commands the runner logs in job.log (same interpreter, a venv made the same way, the
 * same report files), as someone would type them: one venv, in the project folder.
 */
const BY_HAND = `#!/bin/bash
set -u
src=$1 out=$2 venv=$3
now() { date +%s%N; }
cd "$src"
t0=$(now)
${TOOLS_PYTHON} -m venv --system-site-packages --without-pip "$venv"
t1=$(now)
export PATH="$venv/bin:$PATH"
python -m flake8 --format=default --output-file="$out/flake8.txt" --tee
python -m black --check --diff . > "$out/black.diff"
t2=$(now)
python -m bandit -r okcalc -f json -o "$out/bandit.json" -ii
t3=$(now)
PYTEST_ADDOPTS="--junitxml=$out/junit.xml" COVERAGE_FILE="$out/.coverage" python -m coverage run -m pytest
t4=$(now)
COVERAGE_FILE="$out/.coverage" python -m coverage xml -o "$out/coverage.xml"
COVERAGE_FILE="$out/.coverage" python -m coverage json -o "$out/coverage.json"
t5=$(now)
ms() { echo $(( ($2 - $1) / 1000000 )); }
echo "phase venv $(ms $t0 $t1)"
echo "phase lint $(ms $t1 $t2)"
echo "phase bandit $(ms $t2 $t3)"
echo "phase tests $(ms $t3 $t4)"
echo "phase coverage-reports $(ms $t4 $t5)"
`;

interface HandRun {
  readonly wallMs: number;
  readonly phases: Readonly<Record<string, number>>;
}

async function byHand(script: string, project: string, scratch: string): Promise<HandRun> {
  const run = await mkdtemp(join(scratch, "hand-"));
  const out = await mkdtemp(join(run, "out-"));
  const result = await runChild(["/bin/bash", script, project, out, join(run, "venv")], {
    cwd: project,
    env: baseEnv(),
    timeoutMs: 120_000,
  });
  if (result.code !== 0)
    throw new Error(`the hand script failed:\n${tail(result.stdout + result.stderr)}`);
  const phases: Record<string, number> = {};
  for (const [, name = "", value = "0"] of result.stdout.matchAll(/^phase (\S+) (\d+)$/gm))
    phases[name] = Number(value);
  return { wallMs: result.ms, phases };
}

/** Where a pylot run's time went, from its JSON result and the jobs' job.log files. */
function breakdown(run: CliRun) {
  const jobs = run.jobs.filter((job) => Object.keys(job.steps).length > 0);
  const venvMs = sum(jobs.map((job) => job.steps.venv ?? 0));
  const stepsMs = sum(jobs.map((job) => sum(Object.values(job.steps)))) - venvMs;
  const jobsMs = sum(run.jobs.map((job) => job.durationMs));
  return {
    startupMs: run.wallMs - run.pipelineMs,
    venvMs,
    venvs: jobs.length,
    stepsMs,
    insideJobsMs: jobsMs - venvMs - stepsMs,
    betweenJobsMs: run.pipelineMs - jobsMs,
  };
}

/** The run with the median wall time, whose breakdown is shown. */
function middle<T extends { readonly wallMs: number }>(runs: readonly T[]): T | undefined {
  return [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)];
}

function figures(
  hand: readonly HandRun[],
  pylot: readonly CliRun[],
  parallel: CliRun | undefined,
): Figure[] {
  const handMs = median(hand.map((r) => r.wallMs));
  const pylotMs = median(pylot.map((r) => r.wallMs));
  const typical = middle(pylot);
  if (typical === undefined) return [];
  const where = breakdown(typical);
  const phases = middle(hand)?.phases ?? {};
  const handTools = sum(Object.entries(phases).flatMap(([k, v]) => (k === "venv" ? [] : [v])));
  const both = (a: number, b: number) => `${ms(a)} vs ${ms(b)}`;
  return [
    info("by hand (bash script), median", ms(handMs)),
    info("pylot run, PYLOT_CONCURRENCY=1, median", ms(pylotMs)),
    {
      name: "pylot run / by hand",
      value: ratio(pylotMs, handMs),
      goal: `≤ ${GOAL.toFixed(2)}×`,
      met: pylotMs / handMs <= GOAL,
    },
    info("  extra time, pylot − by hand", ms(pylotMs - handMs)),
    info("  by-hand time at which that extra is 10 %", ms((pylotMs - handMs) / (GOAL - 1))),
    info("  CLI start, config, interpreter discovery", ms(where.startupMs)),
    info(`  venvs: pylot ${where.venvs} vs by hand 1`, both(where.venvMs, phases.venv ?? NaN)),
    info("  tools + tests + coverage reports: pylot vs by hand", both(where.stepsMs, handTools)),
    info("  in jobs outside steps (probe, redaction, cleanup)", ms(where.insideJobsMs)),
    info("  between jobs (workspace copy, dispatch, engine)", ms(where.betweenJobsMs)),
    ...(parallel === undefined
      ? []
      : [
          info(
            "pylot run at the default concurrency (2)",
            `${ms(parallel.wallMs)} (${ratio(parallel.wallMs, handMs)} of by hand)`,
          ),
        ]),
  ];
}

export const runnerOverhead: Scenario = {
  id: 4,
  title: "Runner overhead",
  run: async (context) => {
    const project = await makeProject(context.scratch, "ok", {
      from: join(context.root, "test/fixtures/projects/ok"),
      files: {},
      config: CONFIG,
    });
    const script = join(context.scratch, "by-hand.sh");
    await writeFile(script, BY_HAND);
    const env = { PYLOT_PYTHONS: `3.11=${TOOLS_PYTHON}`, PYLOT_CONCURRENCY: "1" };
    const cli = (extra: Record<string, string> = {}) =>
      pylotRun({
        root: context.root,
        dir: project,
        scratch: context.scratch,
        env: { ...env, ...extra },
        timeoutMs: 120_000,
      });
    // One warm-up of each (page cache, .pyc files), then alternating rounds.
    if (!context.quick) {
      await byHand(script, project, context.scratch);
      await cli();
    }
    const hand: HandRun[] = [];
    const pylot: CliRun[] = [];
    const rounds = context.quick ? 1 : 4;
    for (let round = 0; round < rounds; round += 1) {
      hand.push(await byHand(script, project, context.scratch));
      const run = await cli();
      if (run.conclusion !== "success") throw new Error(`pylot run concluded ${run.conclusion}`);
      pylot.push(run);
    }
    const parallel = context.quick ? undefined : await cli({ PYLOT_CONCURRENCY: "2" });
    return ran(figures(hand, pylot, parallel), [
      `test/fixtures/projects/ok with flake8, black, bandit and pytest under coverage (Python ${TOOLS_PYTHON}); ` +
        `${rounds} alternating round(s)${context.quick ? "" : " after a warm-up"}; ` +
        "pylot = `node bin/pylot.js run --json`; the breakdown is of the median pylot run",
      "pylot makes one venv per job (lint, security, test); the hand script one for all",
    ]);
  },
};
