import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PylotConfigInput } from "../../src/config/index.js";
import type { PipelineView, Store } from "../../src/engine/ports.js";
import { ensureComment, PrComments } from "../../src/github/pr-comment.js";
import { listPullRequestFiles, PullRequestCache } from "../../src/github/pull-requests.js";
import type { JobResult, Trigger } from "../../src/pipeline/types.js";
import { COMMENT_LIMIT, COMMENT_MARKER, type Finding } from "../../src/reports/index.js";
import { openStore } from "../../src/store/index.js";
import { sha } from "../helpers/github-app.js";
import { completedView, finished, plannedView, SHA, withJob } from "../helpers/github-records.js";
import { silentLog, testOctokit, useGitHubStub } from "../helpers/github.js";
import { fakeComments, fakePullRequest, noPullRequests } from "./reports-fakes.js";

const gh = useGitHubStub();
const PR = { owner: "Codertocat", repo: "Hello-World", number: 2 };
const body = (text: string) => `${COMMENT_MARKER}\n${text}`;

describe("ensureComment", () => {
  it("creates the comment once, edits it in place, and leaves it alone when unchanged", async () => {
    const comments = fakeComments({ updates: true });
    const octokit = testOctokit();

    const outcomes = [
      await ensureComment(octokit, PR, body("first")),
      await ensureComment(octokit, PR, body("second")),
      await ensureComment(octokit, PR, body("second")),
    ];

    const id = comments.comments[0]?.id ?? 0;
    expect(outcomes).toEqual([
      { kind: "created", id },
      { kind: "updated", id },
      { kind: "unchanged", id },
    ]);
    expect(comments.writes).toEqual(["POST", `PATCH ${id}`]);
    expect(comments.comments.map((c) => c.body)).toEqual([body("second")]);
  });

  it("finds its comment on a later page, and never takes a user's quote of the marker", async () => {
    const comments = fakeComments({ creates: false, updates: true });
    comments.seed(body("a user pasted our marker"), "User");
    for (let i = 0; i < 120; i++) comments.seed(`comment ${i}`, "User");
    const ours = comments.seed(body("old"));

    const outcome = await ensureComment(testOctokit(), PR, body("new"));

    expect(outcome).toEqual({ kind: "updated", id: ours.id });
    expect(comments.writes).toEqual([`PATCH ${ours.id}`]);
    expect(comments.comments[0]?.body).toBe(body("a user pasted our marker"));
  });

  it.each([
    ["before ours: ours is deleted and the older one takes our body", "before"],
    ["after ours: the newer one is deleted", "after"],
  ] as const)(
    "leaves one comment when another replica creates one at the same moment, %s",
    async (_case, when) => {
      const comments = fakeComments({ updates: when === "before", deletes: true });
      comments.onCreate((moment) => {
        if (moment === when) comments.seed(body("the other replica's"));
      });

      await ensureComment(testOctokit(), PR, body("ours"));

      const [older, newer] = [7000, 7001];
      expect(comments.comments).toEqual([
        { id: older, body: body("ours"), user: expect.anything() as unknown },
      ]);
      expect(comments.writes).toEqual(
        when === "before"
          ? ["POST", `DELETE ${newer}`, `PATCH ${older}`]
          : ["POST", `DELETE ${newer}`],
      );
    },
  );
});

describe("listPullRequestFiles", () => {
  it("reads every page of a large pull request", async () => {
    const files = Array.from({ length: 150 }, (_, i) => ({
      filename: `pkg/m${i}.py`,
      patch: "@@ -0,0 +1 @@\n+x = 1",
    }));
    fakePullRequest({ head: SHA, base: sha("0b"), files }).serveFiles();

    const read = await listPullRequestFiles(testOctokit(), PR);

    expect(read).toHaveLength(150);
    expect(read[149]).toEqual({ filename: "pkg/m149.py", patch: "@@ -0,0 +1 @@\n+x = 1" });
  });
});

const CONFIG: PylotConfigInput = {
  python: ["3.11"],
  lint: { flake8: {}, black: false },
  typecheck: { mypy: false },
  security: { bandit: {} },
  test: { coverage: false },
};

function finding(tool: "bandit" | "flake8", i: number): Finding {
  return {
    tool,
    path: `pkg/module_${i % 50}.py`,
    line: i + 1,
    severity: tool === "bandit" ? "error" : "warning",
    rule: tool === "bandit" ? "B602" : "F401",
    title: `${tool} finding ${i}`,
    message: `${"a long explanation of the problem ".repeat(8)}${i}`,
    ...(tool === "bandit" ? { toolSeverity: "high", confidence: "high" as const } : {}),
  };
}

/** A completed pipeline whose jobs read these findings. */
function viewWith(findings: { bandit: number; flake8: number }): PipelineView {
  let view = plannedView(CONFIG);
  const report = (tool: "bandit" | "flake8", count: number): Partial<JobResult> => ({
    tools: [tool],
    findings: Array.from({ length: count }, (_, i) => finding(tool, i)),
  });
  for (const job of view.jobs) {
    const extra =
      job.spec.kind === "security"
        ? report("bandit", findings.bandit)
        : job.spec.kind === "lint"
          ? report("flake8", findings.flake8)
          : {};
    view = withJob(view, finished(job, "failure", extra));
  }
  return completedView(view, "failure");
}

describe("PrComments", () => {
  let store: Store;
  let comments: PrComments;

  beforeEach(async () => {
    store = await openStore({ url: "sqlite::memory:", logger: silentLog });
    comments = new PrComments({
      octokitFor: () => Promise.resolve(testOctokit()),
      pullRequests: new PullRequestCache(),
      store,
      logger: silentLog,
    });
  });
  afterEach(async () => {
    await store.close();
  });

  it("trims a comment that would exceed GitHub's limit, keeping every section's head", async () => {
    fakePullRequest({ head: SHA, base: sha("0b") })
      .servePull()
      .serveFiles();
    const written = fakeComments();
    const view = viewWith({ bandit: 5000, flake8: 5000 });

    comments.pipelineCompleted(view, { jobs: new Map() });
    await comments.idle();

    const text = written.comments[0]?.body ?? "";
    expect(written.writes).toEqual(["POST"]);
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text.length).toBeGreaterThan(10_000);
    expect(text).toContain("### Security (bandit)");
    expect(text).toContain("### Lint and types");
    expect(text).toMatch(/… and \d+ more/);
  });

  it("writes one comment when two completions of the PR's pipeline arrive together", async () => {
    fakePullRequest({ head: SHA, base: sha("0b") })
      .servePull()
      .serveFiles();
    const written = fakeComments();
    const view = viewWith({ bandit: 2, flake8: 3 });

    comments.pipelineCompleted(view, { jobs: new Map() });
    comments.pipelineCompleted(view, { jobs: new Map() });
    await comments.idle();

    expect(written.writes).toEqual(["POST"]);
    expect(written.comments).toHaveLength(1);
  });

  it("writes nothing for a pull request whose head moved on to another commit", async () => {
    fakePullRequest({ head: sha("9f"), base: sha("0b") }).servePull();

    comments.pipelineCompleted(viewWith({ bandit: 1, flake8: 1 }), { jobs: new Map() });
    await comments.idle();

    expect(gh.unexpected).toEqual([]);
  });

  it("comments nowhere for a push that no open pull request has as its head", async () => {
    const push = viewWith({ bandit: 1, flake8: 1 });
    const trigger: Trigger = {
      source: "github",
      event: "push",
      sha: SHA,
      ref: "refs/heads/master",
      repo: "Codertocat/Hello-World",
      installationId: 957387,
    };
    const view = { ...push, pipeline: { ...push.pipeline, trigger } };
    noPullRequests(gh.api());

    comments.pipelineCompleted(view, { jobs: new Map() });
    await comments.idle();

    expect(gh.unexpected).toEqual([]);
  });

  it("makes no request at all for a pipeline without reports", async () => {
    const view = completedView(plannedView(CONFIG), "success");

    comments.pipelineCompleted(view, { jobs: new Map() });
    await comments.idle();

    expect(gh.unexpected).toEqual([]);
  });
});
