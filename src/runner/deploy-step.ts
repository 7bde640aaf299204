import { join } from "node:path";
import { ArtifactIntegrityError, lazyRead, writeVerified } from "../artifacts/verified-write.js";
import type { Artifact } from "../pipeline/types.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";
import { safeSegment } from "./workspace.js";

type DeployStep = {
  readonly run: string;
  readonly environment: string;
  readonly deploymentId: number;
  readonly artifacts?: readonly Artifact[] | undefined;
  readonly image?: string | undefined;
};

/**
 * Runs an environment's deploy command in the job's shell, as the test step runs `test.run`.
 * The environment's secrets are already in the job's environment (and masked in its log);
 * PYLOT_ENVIRONMENT and PYLOT_DEPLOYMENT_ID are not secrets, so they stay readable in the log.
 * When the build kept artifacts, the command gets exactly those files first (`handOver`).
 */
export async function runDeployStep(step: DeployStep, ctx: StepContext): Promise<StepOutcome> {
  const handed = await handOver(step, ctx);
  if (!handed.ok) return failed(handed.message);
  const vars = {
    PYLOT_ENVIRONMENT: step.environment,
    PYLOT_DEPLOYMENT_ID: String(step.deploymentId),
    ...handed.vars,
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

type HandOver =
  | { readonly ok: true; readonly vars: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly message: string };

/**
 * Copies each artifact the step names into `<job>/artifacts/<name>`, read-only, checked
 * against its recorded SHA-256 and size as it is copied, from the job's inputs (the engine's
 * kept copy, or what the queue brought to this host). A file that is not there or not the same
 * bytes fails the job with its name: the command never runs with something else.
 * PYLOT_ARTIFACTS is the folder, PYLOT_WHEEL the wheel in it, PYLOT_IMAGE the built image.
 */
async function handOver(step: DeployStep, ctx: StepContext): Promise<HandOver> {
  const image = step.image === undefined ? {} : { PYLOT_IMAGE: step.image };
  const wanted = step.artifacts ?? [];
  if (wanted.length === 0) return { ok: true, vars: image };
  const dir = join(ctx.paths.root, "artifacts");
  const copies = new Map<string, string>();
  for (const artifact of wanted) {
    const input = ctx.inputs?.artifacts.find(
      (candidate) => candidate.sha256 === artifact.sha256 && candidate.name === artifact.name,
    );
    if (input === undefined)
      return { ok: false, message: `the build's ${artifact.name} is not on this runner` };
    const copy = join(dir, safeSegment(artifact.name));
    try {
      await writeVerified(lazyRead(input.path), copy, artifact, { mode: 0o444 });
    } catch (error) {
      return { ok: false, message: `the build's ${artifact.name} ${problem(error)}; not deployed` };
    }
    ctx.log.line(`[pylot] ${artifact.name}: sha256 ${artifact.sha256} verified`);
    copies.set(artifact.name, copy);
  }
  const wheels = wanted.filter((artifact) => artifact.kind === "wheel");
  const wheel = wheels[0] === undefined ? undefined : copies.get(wheels[0].name);
  if (wheels.length > 1) ctx.log.line(`[pylot] ${wheels.length} wheels; PYLOT_WHEEL is the first`);
  return {
    ok: true,
    vars: {
      ...image,
      PYLOT_ARTIFACTS: dir,
      ...(wheel === undefined ? {} : { PYLOT_WHEEL: wheel }),
    },
  };
}

function problem(error: unknown): string {
  if (error instanceof ArtifactIntegrityError)
    return `changed since it was built (${error.message})`;
  if (error instanceof Error && "code" in error && error.code === "ENOENT") return "is missing";
  return `could not be copied (${error instanceof Error ? error.message : String(error)})`;
}
