import type { Context } from "probot";
import { RERUN_FAILED } from "../github/desired-checks.js";
import { parseExternalId } from "../github/external-id.js";
import type { RerunSelection } from "../engine/index.js";
import type { Trigger } from "../pipeline/types.js";

/** What a webhook asks Pylot to build: pure data decoded from the payload. */
export interface BuildTarget {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly ref: string;
  readonly event: Trigger["event"];
  readonly pullRequest?: number;
  readonly installationId: number;
}

export const SKIP_REASONS = [
  "no-installation",
  "deleted",
  "not-a-branch",
  "not-ours",
  "fork-gate",
  "unknown-action",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
export type Skip = { readonly kind: "skip"; readonly reason: SkipReason };

const ZERO_SHA = /^0+$/;

/** Typed as always present, but GitHub sends null (a PR's head repo once the fork is deleted). */
function nullable<T>(value: T): T | null {
  return value;
}

/** `full_name` is always present; `owner` may be null in some payload shapes. */
function ownerRepo(repository: { full_name: string; name: string }) {
  const owner = repository.full_name.slice(0, -(repository.name.length + 1));
  return { owner, repo: repository.name };
}

type PushPayload = Context<"push">["payload"];
type PullRequestPayload = Context<
  "pull_request.opened" | "pull_request.synchronize" | "pull_request.reopened"
>["payload"];
type CheckSuitePayload = Context<"check_suite.requested" | "check_suite.rerequested">["payload"];
type CheckRunPayload = Context<"check_run.rerequested" | "check_run.requested_action">["payload"];

export type PushDecision =
  | Skip
  /** `supersede`: older running pipelines of this branch are cancelled (not on the default branch). */
  | { readonly kind: "build"; readonly target: BuildTarget; readonly supersede: boolean };

export function decidePush(payload: PushPayload): PushDecision {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { kind: "skip", reason: "no-installation" };
  if (payload.deleted || ZERO_SHA.test(payload.after)) return { kind: "skip", reason: "deleted" };
  if (!payload.ref.startsWith("refs/heads/")) return { kind: "skip", reason: "not-a-branch" };
  const branch = payload.ref.slice("refs/heads/".length);
  const target: BuildTarget = {
    ...ownerRepo(payload.repository),
    sha: payload.after,
    ref: payload.ref,
    event: "push",
    installationId,
  };
  return { kind: "build", target, supersede: branch !== payload.repository.default_branch };
}

export type PullRequestDecision =
  | Skip
  | {
      readonly kind: "build";
      readonly target: BuildTarget;
      /** The head branch, whose push pipelines this PR's new head supersedes. */
      readonly headRef: string;
    }
  | {
      /** Head in another repository: its code must not run before a maintainer approves. */
      readonly kind: "fork";
      readonly target: BuildTarget;
      readonly headRepo: string;
      readonly url: string;
    };

export function decidePullRequest(payload: PullRequestPayload): PullRequestDecision {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { kind: "skip", reason: "no-installation" };
  const pr = payload.pull_request;
  const target: BuildTarget = {
    ...ownerRepo(payload.repository),
    sha: pr.head.sha,
    ref: `refs/pull/${pr.number}/head`,
    event: "pull_request",
    pullRequest: pr.number,
    installationId,
  };
  const head = nullable(pr.head.repo);
  if (head?.full_name !== payload.repository.full_name) {
    const headRepo = head?.full_name ?? "a deleted fork";
    return { kind: "fork", target, headRepo, url: pr.html_url };
  }
  return { kind: "build", target, headRef: `refs/heads/${pr.head.ref}` };
}

export type CheckSuiteDecision =
  | Skip
  | {
      readonly kind: "build";
      readonly target: BuildTarget;
      /** rerequested: run again; requested: run unless already running for this commit. */
      readonly rerun: boolean;
      readonly headBranch: string | null;
    };

export function decideCheckSuite(payload: CheckSuitePayload): CheckSuiteDecision {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { kind: "skip", reason: "no-installation" };
  const suite = payload.check_suite;
  const pr = suite.pull_requests[0]?.number;
  const target: BuildTarget = {
    ...ownerRepo(payload.repository),
    sha: suite.head_sha,
    ref: suite.head_branch === null ? suite.head_sha : `refs/heads/${suite.head_branch}`,
    event: "check_suite",
    ...(pr === undefined ? {} : { pullRequest: pr }),
    installationId,
  };
  return {
    kind: "build",
    target,
    rerun: payload.action === "rerequested",
    headBranch: suite.head_branch,
  };
}

export type CheckRunDecision =
  | Skip
  | { readonly kind: "rerun-job"; readonly jobId: string; readonly repo: string }
  | {
      readonly kind: "rerun-pipeline";
      readonly pipelineId: string;
      readonly which: RerunSelection;
      readonly repo: string;
    }
  /** A `Pylot / config` check re-requested: read the config again and build the commit. */
  | { readonly kind: "recheck"; readonly target: BuildTarget };

export function decideCheckRun(payload: CheckRunPayload): CheckRunDecision {
  const installationId = payload.installation?.id;
  if (installationId === undefined) return { kind: "skip", reason: "no-installation" };
  const ref = parseExternalId(payload.check_run.external_id);
  if (ref === undefined) return { kind: "skip", reason: "not-ours" };
  const repo = payload.repository.full_name;
  if (payload.action === "requested_action") {
    if (ref.kind !== "summary" || payload.requested_action?.identifier !== RERUN_FAILED)
      return { kind: "skip", reason: "unknown-action" };
    return { kind: "rerun-pipeline", pipelineId: ref.pipelineId, which: { kind: "failed" }, repo };
  }
  switch (ref.kind) {
    case "job":
      return { kind: "rerun-job", jobId: ref.jobId, repo };
    case "summary":
      return { kind: "rerun-pipeline", pipelineId: ref.pipelineId, which: { kind: "all" }, repo };
    case "matrix":
      return {
        kind: "rerun-pipeline",
        pipelineId: ref.pipelineId,
        which: { kind: "failed" },
        repo,
      };
    case "gate":
      return { kind: "skip", reason: "fork-gate" };
    case "config": {
      const run = payload.check_run;
      const pr = run.pull_requests[0]?.number;
      const branch = run.check_suite.head_branch;
      const target: BuildTarget = {
        ...ownerRepo(payload.repository),
        sha: ref.sha,
        ref: branch === null ? ref.sha : `refs/heads/${branch}`,
        event: "check_suite",
        ...(pr === undefined ? {} : { pullRequest: pr }),
        installationId,
      };
      return { kind: "recheck", target };
    }
  }
}
