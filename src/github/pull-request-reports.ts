import type { Logger } from "pino";
import type { EngineGates } from "../engine/engine.js";
import type { Store } from "../engine/ports.js";
import { createCoverageGate } from "./coverage-gate.js";
import { PrComments, type IssuesPort } from "./pr-comment.js";
import { PullRequestCache, type PullsPort } from "./pull-requests.js";

export interface PullRequestReportsOptions {
  readonly octokitFor: (installationId: number) => Promise<PullsPort & IssuesPort>;
  readonly store: Pick<Store, "findPipelineBySha" | "listJobs">;
  readonly logger: Logger;
}

export interface PullRequestReports {
  /** The coverage gate with the pull request's diff coverage, for the Engine. */
  readonly gates: EngineGates;
  /** The sticky comment, for the check run reporters. */
  readonly comments: PrComments;
}

/** What the App adds to pipelines of pull requests; gate and comment share one PR cache. */
export function createPullRequestReports(options: PullRequestReportsOptions): PullRequestReports {
  const pullRequests = new PullRequestCache();
  const shared = { pullRequests, store: options.store, logger: options.logger };
  return {
    gates: { coverage: createCoverageGate({ ...shared, pullsFor: options.octokitFor }) },
    comments: new PrComments({ ...shared, octokitFor: options.octokitFor }),
  };
}
