import type { JobSpec, Step } from "../pipeline/types.js";
import { runDeployStep } from "./deploy-step.js";
import { runDockerStep } from "./docker-step.js";
import type { RunOutcome } from "./process.js";
import { buildBackendModule, type ProjectFacts } from "./project.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";
import { missingToolMessage } from "./install-plan.js";
import { runIntegrationStep } from "./integration-step.js";
import { runTestStep } from "./test-step.js";
import { runToolStep } from "./tool-steps.js";
import { runWheelStep } from "./wheel-step.js";

export type Phase = "venv" | "install" | "steps";

/** One entry of a job's step list, as the result reports it. */
export interface PlannedStep {
  readonly name: string;
  readonly phase: Phase;
  readonly run: (ctx: StepContext) => Promise<StepOutcome>;
}

/**
 * The venv comes without pip when nothing will use it: ensurepip costs about two seconds a job,
 * which would dominate a lint job. Install commands, a wheel build, or a test command that
 * mentions pip keep it.
 */
export function needsPip(install: readonly string[], steps: readonly Step[]): boolean {
  if (install.length > 0) return true;
  return steps.some(
    (step) =>
      step.kind === "wheel" ||
      step.kind === "integration" ||
      (step.kind === "test" && /\bpip\b/.test(step.run)),
  );
}

/** Modules the job's steps will ask the venv about, probed together in one run. */
export function wantedModules(steps: readonly Step[], facts: ProjectFacts): string[] {
  return steps.flatMap((step) => {
    switch (step.kind) {
      case "test":
        return step.coverage ? ["coverage"] : [];
      case "wheel":
        return ["build", "twine", buildBackendModule(facts.pyproject)];
      case "deploy":
      case "integration":
      case "docker":
        return [];
      default:
        return [step.kind];
    }
  });
}

export function planSteps(input: {
  readonly spec: JobSpec;
  readonly install: readonly string[];
  readonly withPip: boolean;
}): PlannedStep[] {
  const venv: PlannedStep = {
    name: "venv",
    phase: "venv",
    run: (ctx) =>
      createVenv(ctx, { systemSite: input.spec.systemSitePackages, withPip: input.withPip }),
  };
  const installs = input.install.map((command): PlannedStep => ({
    name: `install: ${shorten(command)}`,
    phase: "install",
    run: (ctx) => runInstall(ctx, command),
  }));
  const steps = input.spec.steps.map((step): PlannedStep => ({
    name: step.kind,
    phase: "steps",
    run: (ctx) => runStep(step, ctx),
  }));
  return [venv, ...installs, ...steps];
}

function runStep(step: Step, ctx: StepContext): Promise<StepOutcome> {
  switch (step.kind) {
    case "test":
      return runTestStep(step, ctx);
    case "wheel":
      return runWheelStep(ctx);
    case "deploy":
      return runDeployStep(step, ctx);
    case "integration":
      return runIntegrationStep(step, ctx);
    case "docker":
      return runDockerStep(step, ctx);
    default:
      return runToolStep(step, ctx);
  }
}

async function createVenv(
  ctx: StepContext,
  options: { readonly systemSite: boolean; readonly withPip: boolean },
): Promise<StepOutcome> {
  const argv = [
    ctx.interpreter.path,
    "-m",
    "venv",
    ...(options.systemSite ? ["--system-site-packages"] : []),
    ...(options.withPip ? [] : ["--without-pip"]),
    ctx.paths.venv,
  ];
  const { outcome } = await exec(ctx, argv);
  const python = `Python ${ctx.interpreter.full}`;
  if (outcome.kind === "stopped") return { kind: "stopped" };
  if (outcome.kind === "exited" && outcome.code === 0) {
    const pip = options.withPip ? "" : " (without pip: nothing to install)";
    return {
      kind: "done",
      conclusion: "success",
      exitCode: 0,
      summary: `created a venv with ${python}${pip}`,
    };
  }
  const exitCode = outcome.kind === "exited" ? outcome.code : null;
  return failed(
    `could not create a virtual environment with ${python}${describe(outcome)}`,
    exitCode,
  );
}

async function runInstall(ctx: StepContext, command: string): Promise<StepOutcome> {
  const { outcome } = await exec(ctx, ["/bin/sh", "-c", command], { display: command });
  if (outcome.kind === "stopped") return { kind: "stopped" };
  if (outcome.kind === "exited" && outcome.code === 0) {
    return {
      kind: "done",
      conclusion: "success",
      exitCode: 0,
      summary: `installed: ${shorten(command)}`,
    };
  }
  const exitCode = outcome.kind === "exited" ? outcome.code : null;
  const missing = missingToolMessage(command, exitCode);
  if (missing !== undefined) return failed(missing, exitCode);
  return failed(`install failed${describe(outcome)}: ${shorten(command)}`, exitCode);
}

function describe(outcome: Exclude<RunOutcome, { kind: "stopped" }>): string {
  switch (outcome.kind) {
    case "exited":
      return ` (exit ${outcome.code})`;
    case "signalled":
      return ` (killed by ${outcome.signal})`;
    case "not-started":
      return ` (${outcome.message})`;
  }
}

function shorten(command: string): string {
  const line = command.replace(/\s+/g, " ").trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
