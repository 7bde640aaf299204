import { join } from "node:path";
import { lazyRead, writeVerified } from "../artifacts/verified-write.js";
import type { ServiceSpec } from "../pipeline/types.js";
import { startServices, stopServices } from "./services.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";
import { runTestStep } from "./test-step.js";
import { safeSegment } from "./workspace.js";

/**
 * Tests what the build made: installs the build job's wheel into the job's fresh venv, starts
 * the services, and runs `integration.run` in the source folder like a test job. The source
 * tree itself is never installed. The wheel is installed from a copy in the job's own folder,
 * checked against its recorded SHA-256 as it is copied: kept artifacts are named by content (pip
 * wants the wheel's own name), and the job's processes need read no file outside their folder.
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
  const copy = join(ctx.paths.tmp, "wheels", safeSegment(wheel.name));
  try {
    await writeVerified(lazyRead(wheel.path), copy, wheel, { mode: 0o644 });
  } catch {
    return failed(`the wheel ${wheel.name} is not the one the build recorded (missing or changed)`);
  }
  const install = await exec(ctx, [
    ctx.paths.venvPython,
    "-m",
    "pip",
    "install",
    "--no-input",
    "--disable-pip-version-check",
    copy,
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
