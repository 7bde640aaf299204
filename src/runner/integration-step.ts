import type { ServiceSpec } from "../pipeline/types.js";
import { sha256File } from "./artifacts.js";
import { startServices, stopServices } from "./services.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";
import { runTestStep } from "./test-step.js";

/**
 * Tests what the build made: installs the build job's wheel (checked against its recorded
 * SHA-256) into the job's fresh venv, starts the services, and runs `integration.run` in the
 * source folder like a test job. The source tree itself is never installed.
 */
export async function runIntegrationStep(
  step: { readonly run: string; readonly services: readonly ServiceSpec[] },
  ctx: StepContext,
): Promise<StepOutcome> {
  const wheels = (ctx.inputs?.artifacts ?? []).filter((artifact) => artifact.kind === "wheel");
  const wheel = wheels[0];
  if (wheel === undefined) return failed("no wheel to test: the build job recorded none");
  if (wheels.length > 1)
    ctx.log.line(`[pylot] ${wheels.length} wheels built; testing ${wheel.name}`);
  const digest = await sha256File(wheel.path).catch(() => undefined);
  if (digest !== wheel.sha256) {
    return failed(`the wheel ${wheel.name} is not the one the build recorded (missing or changed)`);
  }
  const install = await exec(ctx, [
    ctx.paths.venvPython,
    "-m",
    "pip",
    "install",
    "--no-input",
    "--disable-pip-version-check",
    wheel.path,
  ]);
  if (install.outcome.kind === "stopped") return { kind: "stopped" };
  if (install.outcome.kind !== "exited" || install.outcome.code !== 0) {
    const code = install.outcome.kind === "exited" ? install.outcome.code : null;
    return failed(`could not install ${wheel.name}`, code);
  }
  const services = await startServices(ctx, step.services);
  try {
    if (services.kind === "stopped") return { kind: "stopped" };
    if (services.kind === "failed") return failed(services.message);
    const outcome = await runTestStep({ run: step.run, coverage: false }, ctx);
    return outcome.kind === "done"
      ? { ...outcome, summary: `${wheel.name}: ${outcome.summary}` }
      : outcome;
  } finally {
    await stopServices(services.running, ctx.killGraceMs);
  }
}
