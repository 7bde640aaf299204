import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { Step } from "../pipeline/types.js";
import type { RunResult } from "./process.js";
import { topLevelModules } from "./project.js";
import { isFile, parseJson, readCapped } from "./read-capped.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";
import {
  banditVerdict,
  blackVerdict,
  flake8Verdict,
  mypyVerdict,
  pylintVerdict,
  type Verdict,
} from "./tool-verdicts.js";

export const TOOL_MODULES = ["flake8", "black", "pylint", "mypy", "bandit"] as const;
export type ToolName = (typeof TOOL_MODULES)[number];
export type ToolStep = Extract<Step, { kind: ToolName }>;

interface ToolCommand {
  readonly argv: readonly string[];
  /** The version the venv reported; null when the tool comes from PATH. */
  readonly version: string | null;
}

/** How one tool is run: its arguments, its report, and how its outcome is read. */
interface ToolPlan {
  readonly argv: readonly string[];
  readonly report: string;
  /** The report is the tool's stdout (it has no output-file option of its own). */
  readonly stdoutIsReport: boolean;
  readonly verdict: (exitCode: number, report: string) => Verdict;
}

const REPORT_LIMIT = 32 * 1024 * 1024;

/**
 * The venv's own copy of a tool when it can import it (it then sees the project's packages),
 * else the tool's executable on the job's PATH (a system-wide install).
 */
export async function resolveTool(
  ctx: StepContext,
  tool: ToolName,
): Promise<ToolCommand | undefined> {
  const version = await ctx.modules.version(tool);
  if (version !== null) return { argv: [ctx.paths.venvPython, "-m", tool], version };
  for (const dir of (ctx.env.PATH ?? "").split(":")) {
    const path = join(dir, tool);
    if (dir.startsWith("/") && (await isExecutableFile(path))) return { argv: [path], version };
  }
  return undefined;
}

export async function runToolStep(step: ToolStep, ctx: StepContext): Promise<StepOutcome> {
  const tool = await resolveTool(ctx, step.kind);
  if (tool === undefined) {
    return failed(
      `${step.kind} is not installed on this runner: add it to install, or enable venv.system-site-packages`,
    );
  }
  const plan = await planTool(step, ctx, tool);
  if (plan === undefined)
    return failed(`${step.kind} found no Python packages or modules to check`);
  const run = await exec(ctx, plan.argv, plan.stdoutIsReport ? { stdoutFile: plan.report } : {});
  return conclude(step.kind, run, plan);
}

async function planTool(
  step: ToolStep,
  ctx: StepContext,
  tool: ToolCommand,
): Promise<ToolPlan | undefined> {
  const report = (name: string) => join(ctx.paths.reports, name);
  switch (step.kind) {
    case "flake8": {
      const file = report("flake8.txt");
      return {
        argv: [...tool.argv, "--format=default", `--output-file=${file}`, "--tee", ...step.args],
        report: file,
        stdoutIsReport: false,
        verdict: flake8Verdict,
      };
    }
    case "black":
      return {
        argv: [...tool.argv, "--check", "--diff", ...step.args, "."],
        report: report("black.diff"),
        stdoutIsReport: true,
        verdict: blackVerdict,
      };
    case "pylint": {
      const targets = await pylintTargets(ctx, tool);
      if (targets.length === 0) return undefined;
      return {
        argv: [...tool.argv, "--output-format=parseable", ...step.args, ...targets],
        report: report("pylint.txt"),
        stdoutIsReport: true,
        verdict: pylintVerdict,
      };
    }
    case "mypy": {
      const isolation = ["--cache-dir", join(ctx.paths.tmp, "mypy-cache")];
      const executable = ["--python-executable", ctx.paths.venvPython];
      return {
        argv: [...tool.argv, ...step.paths, ...executable, ...isolation, ...step.args],
        report: report("mypy.txt"),
        stdoutIsReport: true,
        verdict: mypyVerdict,
      };
    }
    case "bandit": {
      const file = report("bandit.json");
      const output = ["-f", "json", "-o", file, confidenceFlag(step.confidence)];
      return {
        argv: [...tool.argv, "-r", ...step.paths, ...output, ...step.args],
        report: file,
        stdoutIsReport: false,
        verdict: (exitCode, text) =>
          banditVerdict({
            exitCode,
            report: parseJson(text),
            failOn: step.failOn,
            confidence: step.confidence,
          }),
      };
    }
  }
}

/** bandit 1.6 has no --confidence-level; the repeated flag works in every version. */
function confidenceFlag(confidence: "low" | "medium" | "high"): string {
  return { low: "-i", medium: "-ii", high: "-iii" }[confidence];
}

/** pylint needs module paths; from 2.13 on it finds them itself under `.` with --recursive. */
async function pylintTargets(ctx: StepContext, tool: ToolCommand): Promise<string[]> {
  let version = tool.version ?? "";
  if (version === "") {
    const run = await exec(ctx, [...tool.argv, "--version"], { capture: true, quiet: true });
    version = /pylint (\d+\.\d+)/.exec(run.stdout)?.[1] ?? "";
  }
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 2 || (major === 2 && minor >= 13)) return ["--recursive=y", "."];
  return topLevelModules(ctx.paths.src);
}

async function conclude(tool: ToolName, run: RunResult, plan: ToolPlan): Promise<StepOutcome> {
  const { outcome } = run;
  switch (outcome.kind) {
    case "stopped":
      return { kind: "stopped" };
    case "not-started":
      return failed(`${tool} could not start: ${outcome.message}`);
    case "signalled":
      return failed(`${tool} was killed by ${outcome.signal}`);
    case "exited": {
      const text = await readCapped(plan.report, REPORT_LIMIT);
      const { passed, summary } = plan.verdict(outcome.code, text ?? "");
      const name = plan.report.slice(plan.report.lastIndexOf("/") + 1);
      return {
        kind: "done",
        conclusion: passed ? "success" : "failure",
        exitCode: outcome.code,
        summary,
        reports: (await isFile(plan.report)) ? { [name]: plan.report } : {},
      };
    }
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return await isFile(path);
  } catch {
    return false;
  }
}
