import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  pullRequestPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { acceptReportsComment } from "./reports-fakes.js";

const gh = useGitHubStub();
const pylot = usePylot();

const UNITTEST = `
python: ["3.11"]
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -m unittest discover -s tests", coverage: false }
`;

describe("a pull request", () => {
  it("becomes check runs that go queued → in progress → completed with real results", async () => {
    const head = sha("a1");
    const api = gh.api();
    serveConfig(api, head, UNITTEST);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    const comments = acceptReportsComment(head);

    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    const view = await pylot().settle(head);

    const leg = checks.latest("Pylot / test (3.11, linux)");
    const job = view.jobs[0];
    expect(view.pipeline.conclusion).toBe("success");
    expect(leg).toMatchObject({
      head_sha: head,
      external_id: `job/1/${job?.id ?? ""}`,
      status: "completed",
      conclusion: "success",
      details_url: `https://pylot.example/pipelines/${view.pipeline.id}/jobs/test-3.11-linux`,
    });
    expect(leg?.history[0]).toBe("queued");
    expect(leg?.history.at(-1)).toBe("completed");
    expect(leg?.started_at).toEqual(expect.any(String));
    expect(leg?.output.text).toContain("Ran 2 tests");
    expect(checks.latest("Pylot")).toMatchObject({ status: "completed", conclusion: "success" });
    expect(job?.external).toMatchObject({ checkRunId: String(leg?.id), checkRunAttempt: "1" });
    // unittest's results reach the pull request comment, test by test.
    expect(comments.writes).toEqual(["POST"]);
    expect(comments.comments[0]?.body).toContain("| 2 | 0 | 0 | 0 |");
  });
});

const TWO_LEGS = `
python: ["3.11", "3.12"]
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c 'import okcalc'", coverage: false }
`;

describe("GitHub writes per pipeline", () => {
  it("create every check run once and update each at most twice, the summary at most once", async () => {
    const head = sha("b2");
    const api = gh.api();
    serveConfig(api, head, TWO_LEGS);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();

    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    const view = await pylot().settle(head);

    const jobs = view.jobs.length;
    const creates = checks.writes.filter((w) => w.startsWith("POST"));
    const summaryWrites = checks.writes.filter((w) => w.endsWith(" Pylot"));
    expect(view.pipeline.conclusion).toBe("success");
    expect(jobs).toBe(2);
    expect(creates).toHaveLength(jobs + 1);
    expect(summaryWrites.length).toBeLessThanOrEqual(2);
    expect(checks.writes.length).toBeLessThanOrEqual(3 * jobs + 2);
    expect(checks.states()).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
      ["Pylot / test (3.12, linux)", "completed", "success"],
    ]);
  });
});

const FAILING = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -m unittest discover -s tests", coverage: false }
`;

describe("a failing pipeline", () => {
  it("concludes failure with the log tail, and offers 'Re-run failed jobs' on the summary", async () => {
    const head = sha("c3");
    const api = gh.api();
    serveConfig(api, head, FAILING);
    await serveTarball(api, head, "failing-test");
    const checks = fakeChecks();
    acceptReportsComment(head);

    await pylot().receive("pull_request", pullRequestPayload("reopened", head));
    const view = await pylot().settle(head);

    const leg = checks.runs.find((r) => r.name.startsWith("Pylot / test"));
    expect(view.pipeline.conclusion).toBe("failure");
    expect(leg?.conclusion).toBe("failure");
    expect(leg?.output.text).toContain("FAILED (failures=1)");
    expect(checks.latest("Pylot")).toMatchObject({
      conclusion: "failure",
      actions: [{ identifier: "rerun-failed", label: "Re-run failed jobs" }],
    });
  });
});

describe("a fork's pull request", () => {
  it("runs nothing: its Pylot check asks a maintainer for /ok-to-test", async () => {
    const head = sha("d4");
    const api = gh.api();
    serveConfig(api, head, UNITTEST);
    const checks = fakeChecks({ updates: false });
    const payload = pullRequestPayload("opened", head, { fork: true });

    await pylot().receive("pull_request", payload);
    await pylot().services.reporters.idle();

    const pipeline = await pylot().store.findPipelineBySha("Codertocat/Hello-World", head);
    expect(pipeline).toBeUndefined();
    expect(checks.runs).toHaveLength(1);
    expect(checks.runs[0]).toMatchObject({
      name: "Pylot",
      external_id: `gate/${head}`,
      conclusion: "action_required",
      details_url: "https://github.com/Codertocat/Hello-World/pull/2",
    });
    expect(checks.runs[0]?.output.summary).toContain("/ok-to-test");
  });
});
