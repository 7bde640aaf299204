import { describe, expect, it } from "vitest";
import { fakeChecks, type FakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  checkRunPayload,
  checkSuitePayload,
  pullRequestPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { acceptReportsComment, noPullRequests } from "./reports-fakes.js";

const gh = useGitHubStub();
const pylot = usePylot();

const FAILING = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -m unittest discover -s tests", coverage: false }
`;
const LEG = "Pylot / test (3.11, linux)";

async function failedPipeline(head: string): Promise<FakeChecks> {
  const api = gh.api();
  serveConfig(api, head, FAILING);
  await serveTarball(api, head, "failing-test");
  const checks = fakeChecks();
  // Each completion writes the PR comment: the first creates it, a re-run's updates it.
  acceptReportsComment(head, { updates: true });
  await pylot().receive("pull_request", pullRequestPayload("opened", head));
  await pylot().settle(head);
  return checks;
}

describe("re-running", () => {
  it("one job from its check run gives it a fresh check run for attempt 2", async () => {
    const head = sha("1a");
    const checks = await failedPipeline(head);
    const first = checks.latest(LEG);

    await pylot().receive(
      "check_run",
      checkRunPayload("rerequested", { externalId: first?.external_id ?? "", sha: head }),
    );
    const view = await pylot().settle(head);

    const job = view.jobs[0];
    expect(job?.attempt).toBe(2);
    expect(checks.named(LEG).map((r) => [r.external_id, r.conclusion])).toEqual([
      [`job/1/${job?.id ?? ""}`, "failure"],
      [`job/2/${job?.id ?? ""}`, "failure"],
    ]);
    expect(checks.named("Pylot").map((r) => [r.external_id, r.conclusion])).toEqual([
      [`summary/1/${view.pipeline.id}`, "failure"],
      [`summary/2/${view.pipeline.id}`, "failure"],
    ]);
    expect(job?.external).toMatchObject({ checkRunAttempt: "2" });
  });

  it("failed jobs from the summary's 'Re-run failed jobs' button", async () => {
    const head = sha("2b");
    const checks = await failedPipeline(head);
    const summary = checks.latest("Pylot");

    await pylot().receive(
      "check_run",
      checkRunPayload("requested_action", {
        externalId: summary?.external_id ?? "",
        sha: head,
        identifier: "rerun-failed",
      }),
    );
    const view = await pylot().settle(head);

    expect(view.jobs.map((j) => j.attempt)).toEqual([2]);
    expect(checks.named(LEG)).toHaveLength(2);
  });

  it("the whole suite from 'Re-run all checks'", async () => {
    const head = sha("3c");
    const checks = await failedPipeline(head);

    await pylot().receive("check_suite", checkSuitePayload("rerequested", head, "changes"));
    const view = await pylot().settle(head);

    expect(view.jobs.map((j) => j.attempt)).toEqual([2]);
    expect(checks.latest(LEG)?.external_id).toMatch(/^job\/2\//);
  });

  it("ignores check runs that are not ours", async () => {
    await pylot().receive(
      "check_run",
      checkRunPayload("rerequested", { externalId: "", sha: sha("4d") }),
    );

    expect(await pylot().store.findRunningPipelines({ repo: REPO })).toEqual([]);
  });
});

describe("a requested check suite", () => {
  it("builds a commit that is the head of a branch here", async () => {
    const head = sha("5e");
    const api = gh.api();
    api.get(`/repos/${REPO}/branches/master`).reply(200, { name: "master", commit: { sha: head } });
    serveConfig(api, head, FAILING);
    await serveTarball(api, head, "failing-test");
    fakeChecks();
    // A branch's commit looks for an open pull request to comment its test results on.
    noPullRequests(api);

    await pylot().receive("check_suite", checkSuitePayload("requested", head, "master"));
    const view = await pylot().settle(head);

    expect(view.pipeline.trigger).toMatchObject({ event: "check_suite", ref: "refs/heads/master" });
  });

  it("does not build a commit no branch here points at (a fork's, say)", async () => {
    const head = sha("6f");
    gh.api()
      .get(`/repos/${REPO}/branches/master`)
      .reply(200, { commit: { sha: sha("70") } });

    await pylot().receive("check_suite", checkSuitePayload("rerequested", head, "master"));

    expect(await pylot().store.findPipelineBySha(REPO, head)).toBeUndefined();
  });
});
