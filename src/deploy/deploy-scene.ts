import { code, commit } from "../chatops/text.js";
import type { DeployRun, JobRecord } from "../engine/ports.js";
import type { RepoRef } from "../github/comments.js";
import { updateDeployCheck, type DeployCheck } from "../github/deploy-check.js";
import { setDeploymentStatus, type StatusState } from "../github/deployments.js";
import type { DefaultBranchPort } from "./environment-history.js";
import { DEPLOY_EXTERNAL, type DeployOctokit } from "./orchestrate.js";

/** The installation client of the deploy reporter: deployments, check runs, replies, config. */
export type DeployReporterOctokit = DeployOctokit & DefaultBranchPort;

/** What one report about a deploy pipeline works with. */
export interface Scene {
  readonly run: DeployRun;
  readonly job: JobRecord;
  readonly octokit: DeployReporterOctokit;
  readonly at: RepoRef;
  readonly secrets: readonly string[];
  readonly logUrl: string | undefined;
}

/** The pull request told about the deployment, if any. */
export function pullRequestOf(run: DeployRun): number | undefined {
  switch (run.origin.kind) {
    case "comment":
      return run.origin.pr;
    case "push":
      return undefined;
    case "health-check":
      return run.origin.pr;
  }
}

/** The check run's summary: what is deployed where, and who or what asked. */
function summaryOf(run: DeployRun): string {
  const { plan, deploymentId, origin } = run;
  const what = `Deployment ${deploymentId} of ${commit(plan.sha)} to ${code(plan.env)}`;
  const from = plan.rollback?.from;
  const rollback =
    from === undefined ? "" : `, rolling back from deployment ${from.id} (${commit(from.sha)})`;
  switch (origin.kind) {
    case "comment":
      return `${what} for PR #${origin.pr}, asked by ${code(run.actor)}${rollback}.`;
    case "push":
      return `${what}, automatic after a green pipeline on ${code(origin.branch)}.`;
    case "health-check":
      return `${what}: Pylot's own rollback${rollback}, whose health check failed.`;
  }
}

export function deployCheck(
  s: Scene,
  fields: Pick<DeployCheck, "status" | "title"> & Partial<DeployCheck>,
): DeployCheck {
  return {
    name: `Pylot / ${s.job.spec.name}`,
    headSha: s.run.plan.sha,
    deploymentId: s.run.deploymentId,
    detailsUrl: s.logUrl,
    summary: summaryOf(s.run),
    ...fields,
  };
}

/** Updates the deploy check run, once its creation was recorded on the job. */
export async function updateCheck(s: Scene, desired: DeployCheck): Promise<void> {
  const checkRunId = Number(s.job.external[DEPLOY_EXTERNAL.id]);
  if (!(checkRunId > 0)) return;
  await updateDeployCheck({
    checks: s.octokit.rest.checks,
    at: s.at,
    checkRunId,
    check: desired,
    secrets: s.secrets,
  });
}

export function deployStatus(s: Scene, state: StatusState, description: string): Promise<void> {
  return setDeploymentStatus({
    repos: s.octokit.rest.repos,
    at: s.at,
    deploymentId: s.run.deploymentId,
    state,
    description,
    logUrl: s.logUrl,
    environmentUrl: state === "success" ? s.run.environmentUrl : undefined,
    secrets: s.secrets,
  });
}
