import type { PylotConfig } from "../config/schema.js";
import type { Store } from "../engine/ports.js";
import type { RepoRef } from "../github/comments.js";
import { readDeploymentHistory, type DeploymentsPort } from "../github/deployments.js";
import { loadRepoConfig } from "../github/repo-config.js";
import type { ConfigPort } from "../github/ports.js";
import type { ProbotOctokit } from "probot";
import type { DeploymentRecord } from "./types.js";

/**
 * What every deployment decision reads first: the environments' history (from GitHub, the
 * store's mirror sparing settled statuses) and the deploy config of the default branch.
 */

/** Deployment history from GitHub, mirrored in the store as it is read. */
export async function syncedHistory(options: {
  readonly repos: DeploymentsPort;
  readonly at: RepoRef;
  readonly store: Pick<Store, "listDeployments" | "saveDeployments">;
  readonly environments: readonly string[];
}): Promise<DeploymentRecord[]> {
  const { store, at } = options;
  const repo = `${at.owner}/${at.repo}`;
  const mirrored = await store.listDeployments(repo);
  const records = await readDeploymentHistory({
    repos: options.repos,
    at,
    environments: options.environments,
    known: new Map(mirrored.map((record) => [record.id, record.state])),
  });
  await store.saveDeployments(repo, records);
  return records;
}

/** The installation client that can find the default branch and read its config. */
export type DefaultBranchPort = ConfigPort & {
  readonly rest: { readonly repos: Pick<ProbotOctokit["rest"]["repos"], "get"> };
};

export type DefaultBranchConfig =
  | { readonly kind: "config"; readonly branch: string; readonly config: PylotConfig }
  | { readonly kind: "unusable"; readonly branch: string; readonly why: string };

/**
 * The config of the default branch, which alone decides what runs with deploy secrets. The
 * branch's name comes from what webhooks told the store, else from GitHub.
 */
export async function defaultBranchConfig(options: {
  readonly octokit: DefaultBranchPort;
  readonly store: Pick<Store, "getRepository">;
  readonly at: RepoRef;
}): Promise<DefaultBranchConfig> {
  const { octokit, at } = options;
  const known = await options.store.getRepository(`${at.owner}/${at.repo}`);
  const branch =
    known?.defaultBranch ??
    (await octokit.rest.repos.get({ owner: at.owner, repo: at.repo })).data.default_branch;
  const loaded = await loadRepoConfig(octokit, { ...at, sha: branch });
  switch (loaded.kind) {
    case "config":
      return { kind: "config", branch, config: loaded.config };
    case "invalid":
      return { kind: "unusable", branch, why: `.github/pylot.yml on ${branch} is not valid` };
    case "none":
      return { kind: "unusable", branch, why: `${branch} has no Pylot config` };
  }
}
