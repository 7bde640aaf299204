import type { ProbotOctokit } from "probot";
import type { DeployPlan } from "../deploy/gate.js";
import { readDeploymentPayload, type DeploymentPayload } from "../deploy/history.js";
import { redact } from "../deploy/secrets.js";
import { DEPLOYMENT_STATES, type DeploymentRecord, type DeploymentState } from "../deploy/types.js";
import type { RepoRef } from "./comments.js";

/** The Deployments API, as far as Pylot uses it. */
export type DeploymentsPort = Pick<
  ProbotOctokit["rest"]["repos"],
  "listDeployments" | "listDeploymentStatuses" | "createDeployment" | "createDeploymentStatus"
>;

/** How many deployments of an environment are read back: enough to find a rollback target. */
export const HISTORY_DEPTH = 30;

/**
 * States no later status replaces: their deployments need no status read once mirrored.
 * `success` is not one of them (a newer success makes it `inactive`).
 */
const SETTLED: readonly DeploymentState[] = ["failure", "error", "inactive"];

/** GitHub caps a status description at 140 characters. */
const DESCRIPTION_MAX = 140;

type ApiDeployment = Awaited<ReturnType<DeploymentsPort["listDeployments"]>>["data"][number];

function toState(value: string | undefined): DeploymentState {
  return DEPLOYMENT_STATES.find((state) => state === value) ?? "pending";
}

function toRecord(deployment: ApiDeployment, state: DeploymentState): DeploymentRecord {
  const payload = readDeploymentPayload(deployment.payload);
  const created = Date.parse(deployment.created_at);
  return {
    id: deployment.id,
    sha: deployment.sha,
    environment: deployment.environment,
    // Normalised so that records read from GitHub and from the store compare equal.
    createdAt: Number.isFinite(created) ? new Date(created).toISOString() : deployment.created_at,
    state,
    creator: deployment.creator?.login ?? "",
    task: deployment.task,
    ...(payload === undefined ? {} : { actor: payload.actor }),
    ...(payload?.pr === undefined ? {} : { pr: payload.pr }),
    ...(payload?.rollbackFrom === undefined ? {} : { rollbackFrom: payload.rollbackFrom }),
  };
}

/**
 * The recent deployments of some environments with the state of each one's latest status:
 * one list request per environment, plus one status request per deployment whose state is not
 * already known to be settled (`known`, from the store's mirror).
 */
export async function readDeploymentHistory(options: {
  readonly repos: DeploymentsPort;
  readonly at: RepoRef;
  readonly environments: readonly string[];
  readonly known?: ReadonlyMap<number, DeploymentState>;
  readonly depth?: number;
}): Promise<DeploymentRecord[]> {
  const { repos, at } = options;
  const records: DeploymentRecord[] = [];
  for (const environment of new Set(options.environments)) {
    const { data } = await repos.listDeployments({
      owner: at.owner,
      repo: at.repo,
      environment,
      per_page: options.depth ?? HISTORY_DEPTH,
    });
    for (const deployment of data) {
      const known = options.known?.get(deployment.id);
      if (known !== undefined && SETTLED.includes(known)) {
        records.push(toRecord(deployment, known));
        continue;
      }
      const statuses = await repos.listDeploymentStatuses({
        owner: at.owner,
        repo: at.repo,
        deployment_id: deployment.id,
        per_page: 1,
      });
      records.push(toRecord(deployment, toState(statuses.data[0]?.state)));
    }
  }
  return records;
}

/**
 * Creates the GitHub deployment of a plan: exactly `plan.sha`, never merged with the default
 * branch, no commit status required (Pylot's gate has judged the checks already).
 *
 * @returns the new deployment, as history will show it (`pending` until its first status)
 */
export async function createDeployment(options: {
  readonly repos: DeploymentsPort;
  readonly at: RepoRef;
  readonly plan: DeployPlan;
  readonly payload: DeploymentPayload;
  readonly secrets: readonly string[];
}): Promise<DeploymentRecord> {
  const { plan, at } = options;
  const response = await options.repos.createDeployment({
    owner: at.owner,
    repo: at.repo,
    ref: plan.sha,
    task: plan.task,
    auto_merge: false,
    required_contexts: [],
    environment: plan.env,
    payload: { ...options.payload },
    production_environment: plan.productionEnvironment,
    description: description(`${plan.task} ${plan.sha.slice(0, 7)} to ${plan.env}`, options),
    // A create that timed out may have happened: a blind retry could deploy twice.
    request: { retries: 0 },
  });
  const { data } = response;
  if (!("id" in data)) throw new Error(`GitHub did not create the deployment: ${data.message}`);
  return toRecord(data, "pending");
}

export type StatusState = Exclude<DeploymentState, "pending">;

export async function setDeploymentStatus(options: {
  readonly repos: DeploymentsPort;
  readonly at: RepoRef;
  readonly deploymentId: number;
  readonly state: StatusState;
  readonly description: string;
  readonly logUrl?: string | undefined;
  readonly environmentUrl?: string | undefined;
  readonly secrets: readonly string[];
}): Promise<void> {
  const { at } = options;
  await options.repos.createDeploymentStatus({
    owner: at.owner,
    repo: at.repo,
    deployment_id: options.deploymentId,
    state: options.state,
    description: description(options.description, options),
    ...(options.logUrl === undefined ? {} : { log_url: options.logUrl }),
    ...(options.environmentUrl === undefined ? {} : { environment_url: options.environmentUrl }),
  });
}

function description(text: string, options: { readonly secrets: readonly string[] }): string {
  const clean = redact(text, options.secrets).replace(/\s+/g, " ").trim();
  return clean.length <= DESCRIPTION_MAX ? clean : `${clean.slice(0, DESCRIPTION_MAX - 1)}…`;
}
