import { execFile } from "node:child_process";
import { access, readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { info, ms, ran, ratio, sum, type Figure, type Scenario } from "../lib/figures.js";
import { makeProject } from "../lib/projects.js";
import { pylotRun, type CliRun } from "../lib/pylot-cli.js";

const LEGS = 4;
const GOAL = 1.25;
const exec = promisify(execFile);

/** `$(pyenv root)/versions`' newest CPython 3 minor versions, newest last: "3.12" → path. */
async function pyenvPythons(): Promise<Map<string, string>> {
  const root = await exec("pyenv", ["root"]).then(
    (r) => r.stdout.trim(),
    () => process.env.PYENV_ROOT ?? join(homedir(), ".pyenv"),
  );
  const versions = await readdir(join(root, "versions")).catch(() => []);
  const found = new Map<string, string>();
  const parsed = versions
    .map((name) => ({ name, parts: /^3\.(\d+)\.(\d+)$/.exec(name) }))
    .filter((v): v is { name: string; parts: RegExpExecArray } => v.parts !== null)
    .sort(
      (a, b) => Number(a.parts[1]) - Number(b.parts[1]) || Number(a.parts[2]) - Number(b.parts[2]),
    );
  for (const { name, parts } of parsed) {
    const python = join(root, "versions", name, "bin", "python");
    if (
      await access(python).then(
        () => true,
        () => false,
      )
    )
      found.set(`3.${parts[1]}`, python);
  }
  return new Map([...found].slice(-LEGS));
}

function config(versions: readonly string[]): string {
  return `
python: [${versions.map((v) => JSON.stringify(v)).join(", ")}]
matrix: { fail-fast: false }
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -m unittest discover -s tests", coverage: false }
`;
}

function slowTest(seconds: number): string {
  return `import time
import unittest


class Slow(unittest.TestCase):
    def test_waits(self):
        time.sleep(${seconds})
`;
}

function legs(run: CliRun): number[] {
  return run.jobs.filter((job) => job.kind === "test").map((job) => job.durationMs);
}

export const matrixMakespan: Scenario = {
  id: 5,
  title: "Matrix makespan",
  run: async (context) => {
    const pythons = await pyenvPythons();
    if (pythons.size < LEGS)
      return {
        kind: "skipped",
        reason: `needs ${LEGS} CPython 3 versions under $(pyenv root)/versions, found ${pythons.size}`,
      };
    const seconds = context.quick ? 0.5 : 1.5;
    const versions = [...pythons.keys()];
    const project = await makeProject(context.scratch, "matrix", {
      files: { "tests/__init__.py": "", "tests/test_slow.py": slowTest(seconds) },
      config: config(versions),
    });
    const mapping = [...pythons].map(([version, path]) => `${version}=${path}`).join(",");
    const runs = new Map<number, CliRun>();
    for (const concurrency of [1, 2, 4]) {
      const run = await pylotRun({
        root: context.root,
        dir: project,
        scratch: context.scratch,
        env: { PYLOT_PYTHONS: mapping, PYLOT_CONCURRENCY: String(concurrency) },
        timeoutMs: 120_000,
      });
      if (run.conclusion !== "success" || legs(run).length !== LEGS)
        throw new Error(`the matrix run at concurrency ${concurrency} concluded ${run.conclusion}`);
      runs.set(concurrency, run);
    }
    // The ideal divides the legs' own (uncontended, serial) times by the concurrency.
    const serialLegs = sum(legs(runs.get(1) as CliRun));
    const figures: Figure[] = [info("sum of the 4 legs (serial run)", ms(serialLegs))];
    for (const [concurrency, run] of runs) {
      const ideal = serialLegs / concurrency;
      figures.push({
        name: `PYLOT_CONCURRENCY=${concurrency}: pipeline vs ideal`,
        value: `${ms(run.pipelineMs)} vs ${ms(ideal)} = ${ratio(run.pipelineMs, ideal)}`,
        goal: `≤ ${GOAL.toFixed(2)}×`,
        met: run.pipelineMs / ideal <= GOAL,
      });
      figures.push(info(`  PYLOT_CONCURRENCY=${concurrency}: process wall time`, ms(run.wallMs)));
    }
    return ran(figures, [
      `legs: Python ${versions.join(", ")} from $(pyenv root)/versions; each runs a unittest that sleeps ${seconds} s ` +
        "(waiting, not computing, so 2 cores do not cap concurrency 4)",
      "pipeline = the engine's time from creation to the last job; wall time adds the CLI's start",
    ]);
  },
};
