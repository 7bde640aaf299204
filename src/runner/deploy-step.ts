import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";

/**
 * Runs an environment's deploy command in the job's shell, as the test step runs `test.run`.
 * The environment's secrets are already in the job's environment (and masked in its log);
 * PYLOT_ENVIRONMENT and PYLOT_DEPLOYMENT_ID are not secrets, so they stay readable in the log.
 */
export async function runDeployStep(
  step: { readonly run: string; readonly environment: string; readonly deploymentId: number },
  ctx: StepContext,
): Promise<StepOutcome> {
  const vars = {
    PYLOT_ENVIRONMENT: step.environment,
    PYLOT_DEPLOYMENT_ID: String(step.deploymentId),
  };
  const { outcome } = await exec(ctx, ["/bin/sh", "-c", step.run], { vars, display: step.run });
  switch (outcome.kind) {
    case "stopped":
      return { kind: "stopped" };
    case "not-started":
      return failed(`the deploy command could not start: ${outcome.message}`);
    case "signalled":
      return failed(`the deploy to ${step.environment} was killed by ${outcome.signal}`);
    case "exited":
      return outcome.code === 0
        ? {
            kind: "done",
            conclusion: "success",
            exitCode: 0,
            summary: `deployed to ${step.environment}`,
          }
        : failed(`the deploy to ${step.environment} failed (exit ${outcome.code})`, outcome.code);
  }
}
