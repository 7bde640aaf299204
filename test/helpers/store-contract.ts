import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobRecord, PipelineRecord, Store } from "../../src/engine/ports.js";
import type { JobResult, JobSpec, Trigger } from "../../src/pipeline/types.js";
import { PipelineConflictError, StoreNotFoundError } from "../../src/store/errors.js";
import { describeArtifactContract } from "./store-contract-artifacts.js";
import { describeChatOpsContract } from "./store-contract-chatops.js";
import { describeDeployRecoveryContract } from "./store-contract-deploy-recovery.js";

/** Builders for store tests: small, valid records that each test adjusts. */

export function jobSpec(key: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    key,
    name: key,
    kind: "lint",
    leg: { python: "3.12", os: "linux", extra: {} },
    needs: [],
    systemSitePackages: false,
    steps: [{ kind: "flake8", args: ["--max-line-length=100"] }],
    timeoutMs: 1_200_000,
    matrix: false,
    ...overrides,
  };
}

/** A commit id of its own for each seed, since a commit has one running build (migration 4). */
export function shaOf(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

export function pipelineRecord(
  id: string,
  options: { trigger?: Partial<Trigger>; createdAt?: string; keys?: readonly string[] } = {},
): PipelineRecord {
  const createdAt = options.createdAt ?? "2024-05-01T10:00:00.000Z";
  const sha = options.trigger?.sha ?? shaOf(id);
  return {
    id,
    trigger: {
      source: "github",
      event: "pull_request",
      sha,
      ref: "refs/heads/feature",
      repo: "octo/app",
      pullRequest: 7,
      installationId: 42,
      ...options.trigger,
    },
    plan: {
      jobs: (options.keys ?? ["lint"]).map((key) => jobSpec(key)),
      failFast: true,
      warnings: [],
    },
    source: { kind: "github", repo: "octo/app", sha, installationId: 42 },
    status: "running",
    conclusion: null,
    createdAt,
    updatedAt: createdAt,
    cancelReason: null,
  };
}

export function jobRecord(pipelineId: string, spec: JobSpec): JobRecord {
  return {
    id: `${pipelineId}:${spec.key}`,
    pipelineId,
    spec,
    state: "pending",
    attempt: 1,
    conclusion: null,
    result: null,
    startedAt: null,
    finishedAt: null,
    external: {},
  };
}

export function jobsOf(pipeline: PipelineRecord): JobRecord[] {
  return pipeline.plan.jobs.map((spec) => jobRecord(pipeline.id, spec));
}

export function jobResult(jobId: string, overrides: Partial<JobResult> = {}): JobResult {
  return {
    jobId,
    attempt: 1,
    conclusion: "success",
    summary: "all good",
    startedAt: "2024-05-01T10:00:01.000Z",
    finishedAt: "2024-05-01T10:00:04.000Z",
    logTail: "ok\n",
    steps: [{ name: "flake8", conclusion: "success", exitCode: 0, durationMs: 2900 }],
    reports: { junit: "/tmp/pylot/reports/junit.xml" },
    coverage: 91.5,
    timings: { venv: 100, steps: 2900 },
    interpreter: "3.12.1 at /usr/bin/python3.12",
    ...overrides,
  };
}

/**
 * The behaviour every Store adapter must have. `makeStore` returns a fresh, empty store; the
 * suite closes it after each test.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function seed(pipeline: PipelineRecord): Promise<PipelineRecord> {
      await store.createPipeline(pipeline, jobsOf(pipeline));
      return pipeline;
    }

    describe("pipelines", () => {
      it("stores a pipeline and its jobs and reads them back unchanged", async () => {
        const pipeline = pipelineRecord("p1", { keys: ["lint", "test-3.12-linux", "coverage"] });
        const jobs = jobsOf(pipeline).map((job) =>
          job.spec.key === "coverage"
            ? {
                ...job,
                spec: { ...job.spec, evaluate: { kind: "coverage-gate" as const, minimum: 80 } },
              }
            : job,
        );

        await store.createPipeline(pipeline, jobs);

        expect(await store.getPipeline("p1")).toEqual(pipeline);
        expect(await store.listJobs("p1")).toEqual(jobs);
        expect(await store.getJob("p1:coverage")).toEqual(jobs[2]);
      });

      it("round-trips a CLI pipeline with a directory source and no repository", async () => {
        const base = pipelineRecord("cli1");
        const pipeline: PipelineRecord = {
          ...base,
          trigger: { source: "cli", event: "local", sha: "b".repeat(40), ref: "HEAD" },
          source: { kind: "dir", path: "/home/me/project" },
          plan: { ...base.plan, maxParallel: 2, warnings: ["coverage leg not found"] },
        };

        await seed(pipeline);

        expect(await store.getPipeline("cli1")).toEqual(pipeline);
      });

      it("returns undefined or empty for unknown ids", async () => {
        const results = [await store.getPipeline("nope"), await store.getJob("nope:lint")];

        const jobs = await store.listJobs("nope");

        expect(results).toEqual([undefined, undefined]);
        expect(jobs).toEqual([]);
      });

      it("keeps the plan's job order", async () => {
        const pipeline = pipelineRecord("p1", { keys: ["typecheck", "build", "lint", "security"] });
        await seed(pipeline);

        const keys = (await store.listJobs("p1")).map((job) => job.spec.key);

        expect(keys).toEqual(["typecheck", "build", "lint", "security"]);
      });

      it("stores nothing when one job cannot be stored", async () => {
        const pipeline = pipelineRecord("p1", { keys: ["lint", "build"] });
        const [lint] = jobsOf(pipeline);
        const duplicate = [lint, lint].filter((job) => job !== undefined);

        const created = store.createPipeline(pipeline, duplicate);

        await expect(created).rejects.toThrow();
        expect(await store.getPipeline("p1")).toBeUndefined();
        expect(await store.listJobs("p1")).toEqual([]);
      });

      it("refuses a job whose pipeline does not exist", async () => {
        const pipeline = pipelineRecord("p1");
        const stray = jobRecord("elsewhere", jobSpec("lint"));

        const created = store.createPipeline(pipeline, [stray]);

        await expect(created).rejects.toThrow();
        expect(await store.getPipeline("p1")).toBeUndefined();
      });

      it("patches only the given fields", async () => {
        const pipeline = await seed(pipelineRecord("p1"));
        const patch = {
          status: "completed" as const,
          conclusion: "cancelled" as const,
          cancelReason: "superseded by bbbbbbb",
          updatedAt: "2024-05-01T10:05:00.000Z",
        };

        await store.updatePipeline("p1", patch);

        expect(await store.getPipeline("p1")).toEqual({ ...pipeline, ...patch });
      });

      it("rejects an update of an unknown pipeline", async () => {
        const update = store.updatePipeline("nope", { status: "completed" });

        await expect(update).rejects.toThrow(StoreNotFoundError);
      });

      it("lists running pipelines oldest first", async () => {
        await seed(pipelineRecord("new", { createdAt: "2024-05-03T00:00:00.000Z" }));
        await seed(pipelineRecord("old", { createdAt: "2024-05-01T00:00:00.000Z" }));
        await seed(pipelineRecord("done", { createdAt: "2024-05-02T00:00:00.000Z" }));
        await store.updatePipeline("done", { status: "completed", conclusion: "success" });

        const running = await store.listRunningPipelines();

        expect(running.map((p) => p.id)).toEqual(["old", "new"]);
      });
    });

    describe("finding pipelines", () => {
      beforeEach(async () => {
        const at = (day: number) => `2024-05-0${day}T00:00:00.000Z`;
        await seed(pipelineRecord("pr7-b", { createdAt: at(2) }));
        await seed(pipelineRecord("pr7-a", { createdAt: at(1) }));
        await seed(pipelineRecord("pr8", { trigger: { pullRequest: 8 }, createdAt: at(1) }));
        await seed(
          pipelineRecord("other-repo", { trigger: { repo: "octo/lib" }, createdAt: at(1) }),
        );
        const push: Trigger = {
          source: "github",
          event: "push",
          sha: "",
          ref: "refs/heads/main",
          repo: "octo/app",
        };
        for (const [id, day] of [
          ["main-1", 1],
          ["main-2", 3],
          ["main-done", 2],
        ] as const) {
          const trigger = { ...push, sha: shaOf(id) };
          await seed({ ...pipelineRecord(id, { createdAt: at(day) }), trigger });
        }
        await store.updatePipeline("main-done", { status: "completed", conclusion: "success" });
      });

      it.each([
        { filter: { repo: "octo/app", pullRequest: 7 }, ids: ["pr7-a", "pr7-b"] },
        { filter: { repo: "octo/app", pullRequest: 9 }, ids: [] },
        { filter: { repo: "octo/app", ref: "refs/heads/main" }, ids: ["main-1", "main-2"] },
        { filter: { repo: "octo/app", ref: "refs/heads/feature" }, ids: [] },
        { filter: { repo: "octo/lib", pullRequest: 7 }, ids: ["other-repo"] },
        { filter: { repo: "octo/lib" }, ids: ["other-repo"] },
      ])("finds running pipelines of $filter", async ({ filter, ids }) => {
        const found = await store.findRunningPipelines(filter);

        expect(found.map((p) => p.id)).toEqual(ids);
      });

      it("finds the newest pipeline at a SHA, completed or not", async () => {
        const sha = "c".repeat(40);
        await seed(
          pipelineRecord("sha-old", { trigger: { sha }, createdAt: "2024-06-01T00:00:00.000Z" }),
        );
        await store.updatePipeline("sha-old", { status: "completed", conclusion: "cancelled" });
        await seed(
          pipelineRecord("sha-new", { trigger: { sha }, createdAt: "2024-06-02T00:00:00.000Z" }),
        );
        await store.updatePipeline("sha-new", { status: "completed", conclusion: "failure" });

        const found = await store.findPipelineBySha("octo/app", sha);
        const elsewhere = await store.findPipelineBySha("octo/lib", sha);

        expect(found?.id).toBe("sha-new");
        expect(elsewhere).toBeUndefined();
      });
    });

    describe("job transitions (compare-and-set)", () => {
      beforeEach(async () => {
        await seed(pipelineRecord("p1", { keys: ["lint"] }));
      });

      it("applies the patch when state and attempt match, and returns the new record", async () => {
        const result = jobResult("p1:lint");
        const patch = {
          state: "completed" as const,
          conclusion: "success" as const,
          result,
          finishedAt: result.finishedAt,
        };

        const updated = await store.transitionJob(
          "p1:lint",
          { from: ["pending", "queued"], attempt: 1 },
          patch,
        );

        expect(updated).toMatchObject({ id: "p1:lint", attempt: 1, ...patch });
        expect(await store.getJob("p1:lint")).toEqual(updated);
      });

      it.each([
        { name: "a stale attempt", expect: { from: ["pending" as const], attempt: 2 } },
        { name: "a wrong state", expect: { from: ["in_progress" as const], attempt: 1 } },
        { name: "no allowed state", expect: { from: [], attempt: 1 } },
      ])("rejects $name and changes nothing", async ({ expect: condition }) => {
        const before = await store.getJob("p1:lint");

        const updated = await store.transitionJob("p1:lint", condition, { state: "completed" });

        expect(updated).toBeUndefined();
        expect(await store.getJob("p1:lint")).toEqual(before);
      });

      it("returns undefined for an unknown job", async () => {
        const updated = await store.transitionJob("p1:nope", { from: ["pending"], attempt: 1 }, {});

        expect(updated).toBeUndefined();
      });

      it("lets exactly one of two identical transitions win", async () => {
        const condition = { from: ["pending" as const], attempt: 1 };

        const outcomes = await Promise.all([
          store.transitionJob("p1:lint", condition, { state: "queued" }),
          store.transitionJob("p1:lint", condition, { state: "queued" }),
        ]);

        expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1);
      });

      it("resets a finished job for a re-run", async () => {
        const done = {
          state: "completed" as const,
          conclusion: "failure" as const,
          result: jobResult("p1:lint"),
        };
        await store.transitionJob("p1:lint", { from: ["pending"], attempt: 1 }, done);
        const reset = {
          state: "queued" as const,
          attempt: 2,
          conclusion: null,
          result: null,
          startedAt: null,
          finishedAt: null,
        };

        const updated = await store.transitionJob(
          "p1:lint",
          { from: ["completed"], attempt: 1 },
          reset,
        );

        expect(updated).toMatchObject(reset);
        expect(
          await store.transitionJob("p1:lint", { from: ["queued"], attempt: 1 }, {}),
        ).toBeUndefined();
      });

      it("merges reporter bookkeeping", async () => {
        await store.setJobExternal("p1:lint", { checkRunId: "1", url: "https://x/1" });

        await store.setJobExternal("p1:lint", { checkRunId: "2" });

        expect((await store.getJob("p1:lint"))?.external).toEqual({
          checkRunId: "2",
          url: "https://x/1",
        });
      });

      it("rejects bookkeeping for an unknown job", async () => {
        const set = store.setJobExternal("p1:nope", { checkRunId: "1" });

        await expect(set).rejects.toThrow(StoreNotFoundError);
      });
    });

    describe("deliveries", () => {
      it("records a delivery id once", async () => {
        const first = await store.recordDelivery("d-1", "pull_request");

        const again = await store.recordDelivery("d-1", "pull_request");
        const other = await store.recordDelivery("d-2", "push");

        expect([first, again, other]).toEqual([true, false, true]);
      });

      it("records a forgotten delivery again, and forgets unknown ids quietly", async () => {
        await store.recordDelivery("d-1", "pull_request");

        await store.forgetDelivery("d-1");
        await store.forgetDelivery("never-seen");
        const again = await store.recordDelivery("d-1", "pull_request");

        expect(again).toBe(true);
      });
    });

    describeChatOpsContract(() => store);
    describeDeployRecoveryContract(() => store);
    describeArtifactContract(() => store);
    describeBadgeStoreContract(() => store);
    describeOneBuildPerCommit(() => store);
  });
}

/** Issue 7: what badges and readiness read (migration 3). */
function describeBadgeStoreContract(current: () => Store): void {
  describe("badge reads", () => {
    const main = "refs/heads/main";
    const at = (day: number) => `2024-07-0${day}T00:00:00.000Z`;

    async function seedOn(id: string, day: number, trigger: Partial<Trigger> = {}) {
      const base = pipelineRecord(id, { createdAt: at(day) });
      const pipeline: PipelineRecord = {
        ...base,
        trigger: { ...base.trigger, event: "push", ref: main, ...trigger },
      };
      await current().createPipeline(pipeline, jobsOf(pipeline));
    }

    beforeEach(async () => {
      await seedOn("old-done", 1);
      await seedOn("new-done", 3);
      await seedOn("newest-running", 4);
      await seedOn("other-branch", 5, { ref: "refs/heads/dev" });
      await seedOn("other-repo", 6, { repo: "octo/lib" });
      for (const id of ["old-done", "new-done", "other-branch", "other-repo"])
        await current().updatePipeline(id, { status: "completed", conclusion: "success" });
    });

    it.each([
      { what: "finished on main", ref: main, completedOnly: true, id: "new-done" },
      { what: "any on main", ref: main, completedOnly: false, id: "newest-running" },
      { what: "finished on dev", ref: "refs/heads/dev", completedOnly: true, id: "other-branch" },
      { what: "any on a branch without pipelines", ref: "refs/heads/gone", completedOnly: false },
    ])("finds the latest pipeline: $what", async ({ ref, completedOnly, id }) => {
      const found = await current().latestPipeline({ repo: "octo/app", ref, completedOnly });

      expect(found?.id).toBe(id);
    });

    it("records a repository and finds it whatever the case of its name", async () => {
      const record = {
        fullName: "Octo/App",
        private: true,
        installationId: 42,
        defaultBranch: "main",
        updatedAt: at(1),
      };

      await current().recordRepository(record);

      expect(await current().getRepository("octo/app")).toEqual(record);
      expect(await current().getRepository("OCTO/APP")).toEqual(record);
      expect(await current().getRepository("octo/other")).toBeUndefined();
    });

    it("updates a repository, keeping what a payload did not say", async () => {
      await current().recordRepository({
        fullName: "octo/app",
        private: false,
        installationId: 42,
        defaultBranch: "main",
        updatedAt: at(1),
      });

      await current().recordRepository({
        fullName: "Octo/App",
        private: true,
        installationId: null,
        defaultBranch: null,
        updatedAt: at(2),
      });

      expect(await current().getRepository("octo/app")).toEqual({
        fullName: "Octo/App",
        private: true,
        installationId: 42,
        defaultBranch: "main",
        updatedAt: at(2),
      });
    });

    it("answers a ping while open and refuses once closed", async () => {
      await current().ping();

      await current().close();

      await expect(current().ping()).rejects.toThrow();
    });
  });
}

/** Issue 6: one running build per repository and commit, whichever replica starts it. */
function describeOneBuildPerCommit(current: () => Store): void {
  describe("one build per commit (migration 4)", () => {
    const commit = shaOf("one-build");
    const build = (id: string, trigger: Partial<Trigger> = {}) =>
      pipelineRecord(id, { trigger: { sha: commit, ...trigger }, keys: ["lint", "build"] });

    it("refuses a second running build of a commit, and stores none of it", async () => {
      await current().createPipeline(build("first"), jobsOf(build("first")));
      const second = build("second", { event: "push" });

      const created = current().createPipeline(second, jobsOf(second));

      await expect(created).rejects.toThrow(PipelineConflictError);
      await expect(created).rejects.toMatchObject({ repo: "octo/app", sha: commit });
      expect(await current().getPipeline("second")).toBeUndefined();
      expect(await current().listJobs("second")).toEqual([]);
      expect((await current().findPipelineBySha("octo/app", commit))?.id).toBe("first");
    });

    it("lets exactly one of racing builds of a commit in", async () => {
      const racers = ["r1", "r2", "r3", "r4"].map((id) => build(id));

      const outcomes = await Promise.allSettled(
        racers.map((pipeline) => current().createPipeline(pipeline, jobsOf(pipeline))),
      );

      const kinds = outcomes.map((outcome) => outcome.status).sort();
      expect(kinds).toEqual(["fulfilled", "rejected", "rejected", "rejected"]);
      expect(await current().listRunningPipelines()).toHaveLength(1);
    });

    const cli = (id: string): PipelineRecord => ({
      ...build(id),
      trigger: { source: "cli", event: "local", sha: commit, ref: "HEAD" },
    });
    it.each([
      { what: "after the first build completed", make: build, completeFirst: true },
      { what: "in another repository", make: (id: string) => build(id, { repo: "octo/lib" }) },
      { what: "as a deploy", make: (id: string) => build(id, { event: "deploy" }) },
      { what: "from the CLI (no repository) twice", make: cli, first: cli },
    ])("builds the commit again $what", async ({ make, completeFirst, first = build }) => {
      await current().createPipeline(first("first"), []);
      if (completeFirst === true)
        await current().updatePipeline("first", { status: "completed", conclusion: "success" });
      const again = make("again");

      await current().createPipeline(again, jobsOf(again));

      expect(await current().getPipeline("again")).toEqual(again);
    });
  });
}
