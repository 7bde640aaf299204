import { join } from "node:path";
import { z } from "zod";
import { coverageCommand } from "./coverage-command.js";
import { JUNIT_PATH_VAR, junitCommand, UNITTEST_SCRIPT_VAR } from "./junit-command.js";
import { isFile, parseJson, readCapped } from "./read-capped.js";
import { exec, failed, shellQuote, type StepContext, type StepOutcome } from "./step-context.js";
import { UNITTEST_JUNIT_SCRIPT } from "./unittest-junit.js";

const COVERAGE_JSON_LIMIT = 256 * 1024 * 1024;
const CoverageTotals = z.object({ totals: z.object({ percent_covered: z.number() }) });

/**
 * Runs the configured test command in the job's shell. Each job gets $PYLOT_JUNIT_PATH; pytest
 * writes JUnit XML there through PYTEST_ADDOPTS whatever the command looks like; unittest and
 * nose2 commands are rewritten to write it too (junitCommand). With coverage, the command runs
 * under coverage.py and its data becomes coverage.xml and coverage.json.
 */
export async function runTestStep(
  step: { readonly run: string; readonly coverage: boolean },
  ctx: StepContext,
): Promise<StepOutcome> {
  const junit = join(ctx.paths.reports, "junit.xml");
  const planned = await testCommand(step, ctx, junit);
  if (!planned.ok) return failed(planned.message);
  const { command, vars } = planned;
  const run = await exec(ctx, ["/bin/sh", "-c", command], { vars, display: command });
  const python = `Python ${ctx.interpreter.full}`;
  const { outcome } = run;
  if (outcome.kind === "stopped") return { kind: "stopped" };
  if (outcome.kind === "not-started") return failed(`tests could not start: ${outcome.message}`);
  const measured = step.coverage ? await coverageReports(ctx, vars) : undefined;
  const kept = { ...((await isFile(junit)) ? { "junit.xml": junit } : {}), ...measured?.reports };
  const percent = measured?.percent;
  const common = {
    kind: "done" as const,
    reports: kept,
    ...(percent === undefined ? {} : { coverage: percent }),
    ...(measured === undefined ? {} : { reportsMs: measured.ms }),
  };
  if (outcome.kind === "signalled") {
    return {
      ...common,
      conclusion: "failure",
      exitCode: null,
      summary: `tests were killed by ${outcome.signal} on ${python}`,
    };
  }
  if (outcome.code !== 0) {
    return {
      ...common,
      conclusion: "failure",
      exitCode: outcome.code,
      summary: `tests failed (exit ${outcome.code}) on ${python}`,
    };
  }
  const covered = percent === undefined ? "" : `, coverage ${formatPercent(percent)}`;
  return {
    ...common,
    conclusion: "success",
    exitCode: 0,
    summary: `tests passed on ${python}${covered}`,
  };
}

type TestCommand =
  | { readonly ok: true; readonly command: string; readonly vars: Record<string, string> }
  | { readonly ok: false; readonly message: string };

/** The shell line to run and the variables it needs: coverage first, then JUnit reporting. */
async function testCommand(
  step: { readonly run: string; readonly coverage: boolean },
  ctx: StepContext,
  junit: string,
): Promise<TestCommand> {
  const vars: Record<string, string> = {
    PYTEST_ADDOPTS: shellQuote(`--junitxml=${junit}`),
    [JUNIT_PATH_VAR]: junit,
  };
  let command = step.run;
  if (step.coverage) {
    const rewritten = coverageCommand(step.run);
    if (!rewritten.ok) return rewritten;
    if ((await ctx.modules.version("coverage")) === null) {
      return {
        ok: false,
        message:
          "coverage is not installed in the job's environment: add it to install, or enable venv.system-site-packages",
      };
    }
    command = rewritten.command;
    vars.COVERAGE_FILE = join(ctx.paths.reports, ".coverage");
  }
  const reporting = junitCommand(command);
  switch (reporting.runner) {
    case "unittest":
      vars[UNITTEST_SCRIPT_VAR] = UNITTEST_JUNIT_SCRIPT;
      ctx.log.line(
        `[pylot] unittest runs through Pylot's recorder ($${UNITTEST_SCRIPT_VAR}) for junit.xml`,
      );
      break;
    case "nose2":
      ctx.log.line("[pylot] nose2 writes junit.xml with its junitxml plugin");
      break;
    case undefined:
      break;
  }
  return { ok: true, command: reporting.command, vars };
}

/** Turns coverage data into reports; missing data (no test ran) is not an error of its own. */
async function coverageReports(
  ctx: StepContext,
  vars: Readonly<Record<string, string>>,
): Promise<{ reports: Record<string, string>; percent: number | undefined; ms: number }> {
  const started = performance.now();
  const reports: Record<string, string> = {};
  const xml = join(ctx.paths.reports, "coverage.xml");
  const json = join(ctx.paths.reports, "coverage.json");
  if (await isFile(vars.COVERAGE_FILE ?? "")) {
    const python = ctx.paths.venvPython;
    await exec(ctx, [python, "-m", "coverage", "xml", "-o", xml], { vars });
    await exec(ctx, [python, "-m", "coverage", "json", "-o", json], { vars });
  } else {
    ctx.log.line("[pylot] no coverage data was recorded");
  }
  if (await isFile(xml)) reports["coverage.xml"] = xml;
  if (await isFile(json)) reports["coverage.json"] = json;
  const parsed = CoverageTotals.safeParse(parseJson(await readCapped(json, COVERAGE_JSON_LIMIT)));
  const percent = parsed.success
    ? Math.min(100, Math.max(0, parsed.data.totals.percent_covered))
    : undefined;
  return { reports, percent, ms: performance.now() - started };
}

export function formatPercent(percent: number): string {
  return `${(Math.round(percent * 100) / 100).toString()}%`;
}
