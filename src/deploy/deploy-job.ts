import type { DeployOrigin, PipelineView } from "../engine/ports.js";
import { pipelineLinks, type PipelineLinkOptions } from "../http/pipeline-url.js";
import type { JobSpec, Pipeline } from "../pipeline/types.js";
import type { DeployPlan } from "./gate.js";

/** The one-job pipeline of a deployment, and where its log is. Pure. */

/** Job bookkeeping keys: the deploy check run, and the final reply once it was posted. */
export const DEPLOY_EXTERNAL = {
  id: "deployCheckRunId",
  url: "deployCheckRunUrl",
  reply: "deployReplyUrl",
} as const;
export const DEPLOY_JOB_KEY = "deploy";

/** The deploy pipeline: one job, in a fresh workspace of the plan's commit, installing nothing. */
export function deployPipeline(input: {
  readonly plan: DeployPlan;
  readonly deploymentId: number;
  readonly python: string;
  readonly timeoutMs: number;
  readonly secrets: Readonly<Record<string, string>>;
}): Pipeline {
  const { plan } = input;
  const job: JobSpec = {
    key: DEPLOY_JOB_KEY,
    name: `deploy (${plan.env})`,
    kind: "deploy",
    leg: { python: input.python, os: "linux", extra: {} },
    needs: [],
    install: [],
    systemSitePackages: false,
    steps: [
      {
        kind: "deploy",
        run: plan.run,
        environment: plan.env,
        deploymentId: input.deploymentId,
        secretNames: Object.keys(input.secrets).sort(),
        ...(plan.artifacts === undefined ? {} : { artifacts: plan.artifacts }),
        ...(plan.image === undefined ? {} : { image: plan.image }),
      },
    ],
    timeoutMs: input.timeoutMs,
    matrix: false,
  };
  return { jobs: [job], failFast: false, warnings: [] };
}

/**
 * Where a deploy's log is: Pylot's own page when it has a public URL (with the repository's
 * `logs` token when PYLOT_BADGE_SECRET is set), else the check run.
 */
export function deployLogUrl(links: PipelineLinkOptions, view: PipelineView): string | undefined {
  const repo = view.pipeline.trigger.repo;
  const page =
    repo === undefined ? undefined : pipelineLinks(links)(repo, view.pipeline.id, DEPLOY_JOB_KEY);
  return page ?? view.jobs[0]?.external[DEPLOY_EXTERNAL.url];
}

/** `PYLOT_REF` of the deploy job: the PR's head, the pushed branch, or the rollback's commit. */
export function deployRef(plan: DeployPlan, origin: DeployOrigin): string {
  if (plan.rollback !== undefined) return plan.sha;
  if (origin.kind === "push") return `refs/heads/${origin.branch}`;
  return plan.pr === undefined ? plan.sha : `refs/pull/${plan.pr}/head`;
}
