import type { Conclusion } from "../pipeline/types.js";
import { redact } from "../deploy/secrets.js";
import type { RepoRef } from "./comments.js";
import { capHead, logBlock } from "./markdown.js";
import type { ChecksPort } from "./ports.js";

/**
 * The `Pylot / deploy (<env>)` check run. Its external id names the deployment, in a form
 * `parseExternalId` does not read: GitHub's "Re-run" on it must not deploy again past the
 * gates, so check_run events about it are ignored as not ours.
 */
export function deployExternalId(deploymentId: number | undefined): string {
  return deploymentId === undefined ? "deploy/none" : `deploy/${deploymentId}`;
}

export interface DeployCheck {
  readonly name: string;
  readonly headSha: string;
  /** None when nothing was deployed (an automatic deploy a gate stopped). */
  readonly deploymentId: number | undefined;
  readonly status: "queued" | "in_progress" | "completed";
  readonly conclusion?: Conclusion;
  readonly startedAt?: string | undefined;
  readonly completedAt?: string | undefined;
  readonly title: string;
  readonly summary: string;
  /** The job's log tail (the runner masked its secrets already). */
  readonly log?: string | undefined;
  readonly detailsUrl?: string | undefined;
}

type Body = {
  status: DeployCheck["status"];
  conclusion?: Conclusion;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  output: { title: string; summary: string; text?: string };
};

/** Everything the bot writes is masked again with the secrets it knows. */
function bodyOf(check: DeployCheck, secrets: readonly string[]): Body {
  const mask = (text: string) => redact(text, secrets);
  const log = check.log === undefined || check.log === "" ? undefined : logBlock(mask(check.log));
  return {
    status: check.status,
    ...(check.conclusion === undefined ? {} : { conclusion: check.conclusion }),
    ...(check.startedAt === undefined ? {} : { started_at: check.startedAt }),
    ...(check.completedAt === undefined ? {} : { completed_at: check.completedAt }),
    ...(check.detailsUrl === undefined ? {} : { details_url: check.detailsUrl }),
    output: {
      title: mask(check.title).slice(0, 255),
      summary: capHead(mask(check.summary)),
      ...(log === undefined ? {} : { text: log }),
    },
  };
}

/** @returns the check run's id and page */
export async function createDeployCheck(options: {
  readonly checks: Pick<ChecksPort, "create">;
  readonly at: RepoRef;
  readonly check: DeployCheck;
  readonly secrets: readonly string[];
}): Promise<{ readonly id: number; readonly htmlUrl: string | undefined }> {
  const { at, check } = options;
  const { data } = await options.checks.create({
    owner: at.owner,
    repo: at.repo,
    name: check.name,
    head_sha: check.headSha,
    external_id: deployExternalId(check.deploymentId),
    ...bodyOf(check, options.secrets),
  });
  return { id: data.id, htmlUrl: data.html_url ?? undefined };
}

export async function updateDeployCheck(options: {
  readonly checks: Pick<ChecksPort, "update">;
  readonly at: RepoRef;
  readonly checkRunId: number;
  readonly check: DeployCheck;
  readonly secrets: readonly string[];
}): Promise<void> {
  const { at } = options;
  await options.checks.update({
    owner: at.owner,
    repo: at.repo,
    check_run_id: options.checkRunId,
    ...bodyOf(options.check, options.secrets),
  });
}
