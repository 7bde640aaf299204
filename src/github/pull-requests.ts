import type { ProbotOctokit } from "probot";
import type { PipelineRecord } from "../engine/ports.js";
import type { PullRequestFile } from "../reports/index.js";

/** What the reports need of a pull request: where it stands and what it changes. */
export type PullsPort = Pick<ProbotOctokit, "paginate"> & {
  readonly rest: {
    readonly pulls: Pick<ProbotOctokit["rest"]["pulls"], "get" | "listFiles">;
    readonly repos: Pick<ProbotOctokit["rest"]["repos"], "listPullRequestsAssociatedWithCommit">;
  };
};

export interface PullRequestRef {
  readonly number: number;
  readonly state: string;
  readonly headSha: string;
  readonly baseSha: string;
  readonly baseRef: string;
}

export interface RepoName {
  readonly owner: string;
  readonly repo: string;
}

export function repoName(fullName: string): RepoName {
  const slash = fullName.indexOf("/");
  return { owner: fullName.slice(0, slash), repo: fullName.slice(slash + 1) };
}

/** Typed as always present, but GitHub sends null (a PR's head repo once the fork is deleted). */
function nullable<T>(value: T): T | null {
  return value;
}

interface PullShape {
  readonly number: number;
  readonly state: string;
  readonly head: { readonly sha: string; readonly repo: { readonly full_name: string } | null };
  readonly base: { readonly sha: string; readonly ref: string };
}

function refOf(pull: PullShape): PullRequestRef {
  return {
    number: pull.number,
    state: pull.state,
    headSha: pull.head.sha,
    baseSha: pull.base.sha,
    baseRef: pull.base.ref,
  };
}

/**
 * The open pull request a pipeline built, read fresh from GitHub: the trigger's own number,
 * or (a pipeline started by a push to the PR's branch) the open PR of this repository whose
 * head is the pipeline's commit. Undefined when there is none: pushes to the default branch
 * belong to no pull request.
 */
export async function findPullRequest(
  octokit: PullsPort,
  pipeline: Pick<PipelineRecord, "trigger">,
): Promise<PullRequestRef | undefined> {
  const { trigger } = pipeline;
  if (trigger.repo === undefined) return undefined;
  const at = repoName(trigger.repo);
  if (trigger.pullRequest !== undefined) {
    const { data } = await octokit.rest.pulls.get({ ...at, pull_number: trigger.pullRequest });
    return data.state === "open" ? refOf(data) : undefined;
  }
  if (trigger.event !== "push" && trigger.event !== "check_suite") return undefined;
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    ...at,
    commit_sha: trigger.sha,
    per_page: 100,
  });
  const open = data.find(
    (pull) =>
      pull.state === "open" &&
      pull.head.sha === trigger.sha &&
      nullable(pull.head.repo)?.full_name === trigger.repo,
  );
  return open === undefined ? undefined : refOf(open);
}

/** The pull request's files with their patches (all pages; GitHub lists up to 3,000). */
export async function listPullRequestFiles(
  octokit: PullsPort,
  at: RepoName & { readonly number: number },
): Promise<PullRequestFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: at.owner,
    repo: at.repo,
    pull_number: at.number,
    per_page: 100,
  });
  return files.map((file) => ({
    filename: file.filename,
    ...(file.patch === undefined ? {} : { patch: file.patch }),
  }));
}

export interface PullRequestFacts {
  readonly pull: PullRequestRef;
  readonly files: readonly PullRequestFile[];
}

/**
 * Pull request facts per pipeline, kept for a while: the coverage gate and the comment of the
 * same pipeline read them once. The comment checks the head again before it writes.
 */
export class PullRequestCache {
  readonly #entries = new Map<string, Promise<PullRequestFacts | undefined>>();
  readonly #max: number;

  constructor(options: { readonly max?: number } = {}) {
    this.#max = options.max ?? 200;
  }

  get(
    octokit: PullsPort,
    pipeline: Pick<PipelineRecord, "id" | "trigger">,
  ): Promise<PullRequestFacts | undefined> {
    const known = this.#entries.get(pipeline.id);
    if (known !== undefined) return known;
    const loading = (async () => {
      const pull = await findPullRequest(octokit, pipeline);
      // A PR that moved on has patches of another commit: they say nothing about this one.
      if (pull?.headSha !== pipeline.trigger.sha || pipeline.trigger.repo === undefined)
        return undefined;
      const at = { ...repoName(pipeline.trigger.repo), number: pull.number };
      return { pull, files: await listPullRequestFiles(octokit, at) };
    })();
    this.#entries.set(pipeline.id, loading);
    // Only a found pull request is kept: one may be opened later for the same commit.
    const forget = () => this.#entries.delete(pipeline.id);
    loading.then((facts) => facts === undefined && forget(), forget);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(key);
    }
    return loading;
  }
}
