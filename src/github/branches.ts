import type { ProbotOctokit } from "probot";

export type BranchPort = {
  readonly rest: { readonly repos: Pick<ProbotOctokit["rest"]["repos"], "getBranch"> };
};

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

/**
 * Whether `sha` is the head of `branch` in this repository: proof that someone with write
 * access pushed it (a fork's commit is not the head of a branch here).
 */
export async function isBranchHead(
  octokit: BranchPort,
  at: {
    readonly owner: string;
    readonly repo: string;
    readonly branch: string;
    readonly sha: string;
  },
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getBranch({
      owner: at.owner,
      repo: at.repo,
      branch: at.branch,
    });
    return data.commit.sha === at.sha;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}
