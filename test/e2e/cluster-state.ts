import { expect } from "vitest";
import { bullJobId, runQueueName } from "../../src/dispatch/index.js";
import type { GitHubApiStub } from "../helpers/github-api-stub.js";
import { adminQuery } from "../helpers/postgres.js";
import { inspectQueue } from "../helpers/redis.js";

/** A job as the scaled set-up's PostgreSQL holds it. */
export interface JobRow extends Record<string, unknown> {
  id: string;
  key: string;
  state: string;
  attempt: number;
  spec: { needs: string[]; leg: { python: string; os: string } };
  external: Record<string, string>;
}

/**
 * What the scaled set-up shows from outside its processes: the rows in its PostgreSQL schema,
 * the jobs on its Redis queues, and what the GitHub API stub was sent.
 */
export class ClusterState {
  readonly #stub: GitHubApiStub;
  readonly #schema: string;
  readonly #prefix: string;

  constructor(options: { stub: GitHubApiStub; schema: string; prefix: string }) {
    this.#stub = options.stub;
    this.#schema = options.schema;
    this.#prefix = options.prefix;
  }

  jobRows(commit: string): Promise<JobRow[]> {
    return adminQuery<JobRow>(
      `SELECT j.id, j."key", j.state, j.attempt, j.spec, j.external FROM jobs j
       JOIN pipelines p ON p.id = j.pipeline_id WHERE p.sha = $1 ORDER BY j.position`,
      [commit],
      this.#schema,
    );
  }

  pipelineRows(commit: string): Promise<{ status: string; conclusion: string | null }[]> {
    return adminQuery(
      "SELECT status, conclusion FROM pipelines WHERE sha = $1",
      [commit],
      this.#schema,
    );
  }

  /**
   * Asserts that everything the webhook's replica had to do is durable: every job's check run
   * id is in the store, the summary check run exists, and every job without `needs` is on its
   * queue (or done, so it was).
   */
  async expectHandedOver(commit: string, jobs: number): Promise<void> {
    const rows = await this.jobRows(commit);
    expect(rows).toHaveLength(jobs);
    expect(rows.filter((row) => row.external["checkRunId"] === undefined)).toEqual([]);
    expect(this.#runsOf(commit).filter((run) => run.name === "Pylot").length).toBeGreaterThan(0);
    const ready = rows.filter((row) => row.spec.needs.length === 0);
    expect(await Promise.all(ready.map((row) => this.#queued(row)))).toEqual(ready.map(() => true));
  }

  /** Asserts that the commit's check runs are all completed, a summary among them. */
  expectChecksCompleted(commit: string): void {
    const runs = this.#runsOf(commit);
    const summaries = runs.filter((run) => run.name === "Pylot" && run.status === "completed");
    expect(summaries.length).toBeGreaterThan(0);
    expect(runs.filter((run) => run.status !== "completed")).toEqual([]);
  }

  /** name → conclusion of the commit's check runs. */
  conclusions(commit: string): Record<string, string | null> {
    return Object.fromEntries(this.#runsOf(commit).map((run) => [run.name, run.conclusion]));
  }

  /** name → how many check runs of that name were created for the commit. */
  creates(commit: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of this.#stub.requests) {
      const body = request.body as { name?: string; head_sha?: string } | undefined;
      if (request.method !== "POST" || !request.path.endsWith("/check-runs")) continue;
      if (body?.head_sha !== commit || body.name === undefined) continue;
      counts[body.name] = (counts[body.name] ?? 0) + 1;
    }
    return counts;
  }

  /** Every check run request the stub saw, one line each with its time: for failure messages. */
  checkRunWrites(): string {
    const first = this.#stub.requests[0]?.at ?? 0;
    return this.#stub.requests
      .filter((request) => request.path.includes("/check-runs"))
      .map((request) => {
        const body = (request.body ?? {}) as { name?: string; status?: string };
        const target = request.path.split("/").pop() ?? "";
        const ms = Math.round(request.at - first);
        return `${ms} ms ${request.method} ${target} ${body.name ?? ""} ${body.status ?? ""}`;
      })
      .join("\n");
  }

  #runsOf(commit: string) {
    return this.#stub.checkRuns.filter((run) => run.head_sha === commit);
  }

  async #queued(job: JobRow): Promise<boolean> {
    if (job.state === "completed") return true;
    const queue = inspectQueue(this.#prefix, runQueueName(job.spec.leg));
    try {
      return (await queue.getJob(bullJobId(job.id, job.attempt))) !== undefined;
    } finally {
      await queue.close();
    }
  }
}
