import { join } from "node:path";
import { z } from "zod";
import { coverageCommand } from "./coverage-command.js";
import { isFile, parseJson, readCapped } from "./read-capped.js";
import { exec, failed, shellQuote, type StepContext, type StepOutcome } from "./step-context.js";

const COVERAGE_JSON_LIMIT = 256 * 1024 * 1024;
const CoverageTotals = z.object({ totals: z.object({ percent_covered: z.number() }) });

/**
 * Runs the configured test command in the job's shell. pytest writes JUnit XML through
 * PYTEST_ADDOPTS whatever the command looks like; with coverage, the command runs under
 * coverage.py and its data becomes coverage.xml and coverage.json.
 */
export async function runTestStep(
  step: { readonly run: string; readonly coverage: boolean },
  ctx: StepContext,
): Promise<StepOutcome> {
  const reports = ctx.paths.reports;
  const junit = join(reports, "junit.xml");
  const vars: Record<string, string> = { PYTEST_ADDOPTS: shellQuote(`--junitxml=${junit}`) };
  let command = step.run;
  if (step.coverage) {
    const rewritten = coverageCommand(step.run);
    if (!rewritten.ok) return failed(rewritten.message);
    if ((await ctx.modules.version("coverage")) === null) {
      return failed(
        "coverage is not installed in the job's environment: add it to install, or enable venv.system-site-packages",
      );
    }
    command = rewritten.command;
    vars.COVERAGE_FILE = join(reports, ".coverage");
  }
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
