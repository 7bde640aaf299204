import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import type { PipelineView, Store } from "../engine/ports.js";
import { KeyedSerial } from "../engine/serial.js";
import { COMMENT_MARKER, renderPrComment } from "../reports/index.js";
import { commentModel, hasReports } from "./comment-model.js";
import { baseReports } from "./pipeline-reports.js";
import {
  findPullRequest,
  repoName,
  type PullRequestCache,
  type PullsPort,
  type RepoName,
} from "./pull-requests.js";

/** The issue comments API slice the sticky comment uses. */
export type IssuesPort = Pick<ProbotOctokit, "paginate"> & {
  readonly rest: {
    readonly issues: Pick<
      ProbotOctokit["rest"]["issues"],
      "listComments" | "createComment" | "updateComment" | "deleteComment"
    >;
  };
};

export type EnsureOutcome =
  | { readonly kind: "created"; readonly id: number }
  | { readonly kind: "updated"; readonly id: number }
  | { readonly kind: "unchanged"; readonly id: number };

interface OurComment {
  readonly id: number;
  readonly body: string;
}

/** Our sticky comments on an issue, oldest first: a bot's comments that start with the marker. */
async function ourComments(
  octokit: IssuesPort,
  at: RepoName & { readonly number: number },
): Promise<OurComment[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: at.owner,
    repo: at.repo,
    issue_number: at.number,
    per_page: 100,
  });
  return comments
    .filter((c) => c.user?.type === "Bot" && (c.body ?? "").startsWith(COMMENT_MARKER))
    .map((c) => ({ id: c.id, body: c.body ?? "" }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Exactly one sticky comment with `body` on the pull request: edited in place, only when its
 * body changed; created when there is none. Another replica may create one at the same moment,
 * so after a create the list is read again and the oldest comment is kept, the newer deleted.
 */
export async function ensureComment(
  octokit: IssuesPort,
  at: RepoName & { readonly number: number },
  body: string,
): Promise<EnsureOutcome> {
  const where = { owner: at.owner, repo: at.repo };
  const update = (id: number) =>
    octokit.rest.issues.updateComment({ ...where, comment_id: id, body });
  const remove = async (extra: readonly OurComment[]) => {
    for (const comment of extra)
      await octokit.rest.issues.deleteComment({ ...where, comment_id: comment.id });
  };
  const [first, ...extra] = await ourComments(octokit, at);
  if (first === undefined) {
    const { data } = await octokit.rest.issues.createComment({
      ...where,
      issue_number: at.number,
      body,
    });
    const [kept, ...newer] = await ourComments(octokit, at);
    await remove(newer);
    if (kept === undefined || kept.id === data.id) return { kind: "created", id: data.id };
    if (kept.body !== body) await update(kept.id);
    return { kind: "updated", id: kept.id };
  }
  await remove(extra);
  if (first.body === body) return { kind: "unchanged", id: first.id };
  await update(first.id);
  return { kind: "updated", id: first.id };
}

export interface PrCommentsOptions {
  readonly octokitFor: (installationId: number) => Promise<PullsPort & IssuesPort>;
  readonly pullRequests: PullRequestCache;
  readonly store: Pick<Store, "findPipelineBySha" | "listJobs">;
  readonly logger: Logger;
}

/** Where the comment links to: check run pages the reporter knows. */
export interface CommentLinks {
  readonly jobs: ReadonlyMap<string, string>;
  readonly summary?: string;
}

/**
 * The one living comment per pull request: written when a pipeline of the PR completes, in
 * the background, one at a time per PR. Pipelines that built no open PR's head (pushes to the
 * default branch, superseded commits) and pipelines without reports comment nowhere.
 */
export class PrComments {
  readonly #options: PrCommentsOptions;
  readonly #log: Logger;
  readonly #serial = new KeyedSerial();
  readonly #running = new Set<Promise<void>>();

  constructor(options: PrCommentsOptions) {
    this.#options = options;
    this.#log = options.logger.child({ name: "pr-comment" });
  }

  pipelineCompleted(view: PipelineView, links: CommentLinks): void {
    const { installationId, repo } = view.pipeline.trigger;
    if (installationId === undefined || repo === undefined || !hasReports(view)) return;
    const task = this.#write(view, links, { installationId, repo }).catch((error: unknown) => {
      this.#log.warn({ err: error, pipeline: view.pipeline.id }, "could not write the PR comment");
    });
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  async #write(
    view: PipelineView,
    links: CommentLinks,
    at: { readonly installationId: number; readonly repo: string },
  ): Promise<void> {
    const octokit = await this.#options.octokitFor(at.installationId);
    const pull = await findPullRequest(octokit, view.pipeline);
    if (pull?.headSha !== view.pipeline.trigger.sha) return;
    const target = { ...repoName(at.repo), number: pull.number };
    const outcome = await this.#serial.run(`${at.repo}#${pull.number}`, async () => {
      const facts = await this.#options.pullRequests.get(octokit, view.pipeline).catch(() => {
        this.#log.warn({ pipeline: view.pipeline.id }, "could not read the PR's files");
        return undefined;
      });
      const base = await baseReports(this.#options.store, { repo: at.repo, sha: pull.baseSha });
      const body = renderPrComment(
        commentModel({
          view,
          links: links.jobs,
          ...(links.summary === undefined ? {} : { summaryUrl: links.summary }),
          ...(facts === undefined ? {} : { files: facts.files }),
          ...(base === undefined ? {} : { base }),
        }),
      );
      return ensureComment(octokit, target, body);
    });
    this.#log.info({ pipeline: view.pipeline.id, pr: pull.number, ...outcome }, "PR comment");
  }
}
