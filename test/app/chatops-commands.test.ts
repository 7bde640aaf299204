import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  pullRequestPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, DEPLOY_CONFIG, PIPELINE_ONLY, commentPayload } from "./chatops-fixtures.js";
import { acceptReportsComment } from "./reports-fakes.js";

const gh = useGitHubStub();
const pylot = usePylot();

const FAILING = `${PIPELINE_ONLY}\ntest: { run: "python -m unittest discover -s tests", coverage: false }\n`;

describe("/help and malformed commands", () => {
  it("/help answers anyone with the commands and the environments", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/help", { login: "passer-by" }));

    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    expect(stub.replies[0]).toContain("| `/deploy <env>` |");
    expect(stub.replies[0]).toContain(
      "Environments: `staging` (write or higher), `production` (admin or higher).",
    );
  });

  it("/badge answers with the README Markdown of the default branch's badges", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/badge", { login: "passer-by" }));

    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    expect(stub.replies[0]).toContain(
      `![Pylot status](https://pylot.example/badges/${REPO}/status.svg?branch=master)`,
    );
    expect(stub.replies[0]).toContain(`https://pylot.example/badges/${REPO}/deploy/staging.svg`);
    expect(stub.replies[0]).not.toContain("token=");
  });

  it("a malformed command gets the short help", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy"));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toMatch(
      /^⚠️ `\/deploy`: which environment\? Usage: \/deploy &lt;env&gt;/,
    );
    expect(stub.replies[0]).toContain("**Pylot commands**");
  });

  it("a permission check GitHub cannot answer is surfaced, not ignored", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .acceptReplies(1)
      .acceptReactions(2);
    gh.api()
      .get(`/repos/${REPO}/collaborators/maintainer/permission`)
      .reply(502, { message: "Bad Gateway" });

    await pylot().receive("issue_comment", commentPayload("/lock staging"));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toBe(
      `💥 Pylot could not carry this command out: GitHub answered 502 to GET \`/repos/${REPO}/collaborators/maintainer/permission\`. Steps before it may have taken effect; check before trying again.`,
    );
    expect(await pylot().store.getLock(REPO, "staging")).toBeUndefined();
  });
});

describe("/retest", () => {
  it("runs the failed jobs of the head commit's pipeline again", async () => {
    const head = sha("1f");
    const api = gh.api();
    serveConfig(api, head, FAILING);
    await serveTarball(api, head, "failing-test");
    const checks = fakeChecks();
    // The pull request (also read by /retest) and its comments: the results comment, updated
    // after the re-run, and the command's reply.
    const comments = acceptReportsComment(head, { updates: true });
    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    await pylot().settle(head);
    new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/retest"));
    const view = await pylot().settle(head);

    expect(comments.writes).toEqual(["POST", "POST", "PATCH 7000"]);
    expect(comments.comments[1]?.body).toContain(
      `🔁 Running 1 failed job of \`${head.slice(0, 7)}\` again.`,
    );
    expect(view.jobs.map((job) => [job.spec.key, job.attempt])).toEqual([["test-3.11-linux", 2]]);
    expect(checks.named("Pylot / test (3.11, linux)")).toHaveLength(2);
  });

  it("needs write permission", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "triage")
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/retest"));

    expect(stub.replies[0]).toContain("/retest needs write permission or higher; you have triage.");
  });
});

describe("/ok-to-test on a fork's pull request", () => {
  it("runs the approved head commit only; a later push waits for a new approval", async () => {
    const [approved, later] = [sha("2e"), sha("3d")];
    const api = gh.api();
    serveConfig(api, approved, FAILING);
    await serveTarball(api, approved, "ok");
    const checks = fakeChecks();
    await pylot().receive("pull_request", pullRequestPayload("opened", approved, { fork: true }));
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .pull(approved, { fork: true, author: "forker" })
      .acceptReplies(1)
      .acceptReactions(2);
    // After the command's own read of the pull request: the approved run comments its results.
    acceptReportsComment(approved);

    await pylot().receive("issue_comment", commentPayload("/ok-to-test"));
    const view = await pylot().settle(approved);
    serveConfig(gh.api(), later, FAILING);
    await pylot().receive("pull_request", pullRequestPayload("synchronize", later, { fork: true }));
    await pylot().services.reporters.idle();

    expect(stub.replies).toEqual([
      `✅ Approved \`${approved.slice(0, 7)}\` for testing. A later push needs a new \`/ok-to-test\`.`,
    ]);
    expect(view.pipeline.conclusion).toBe("success");
    expect(await pylot().store.findApproval(REPO, 2, approved)).toMatchObject({
      actor: "maintainer",
    });
    expect(await pylot().store.findPipelineBySha(REPO, later)).toBeUndefined();
    expect(checks.runs.filter((run) => run.external_id.startsWith("gate/"))).toMatchObject([
      { head_sha: approved, conclusion: "action_required" },
      { head_sha: later, conclusion: "action_required" },
    ]);
  });

  it("is refused to the fork's own author, whatever their permission", async () => {
    const head = sha("4c");
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("forker", "write")
      .pull(head, { fork: true, author: "forker" })
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/ok-to-test", { login: "forker" }));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toContain("/ok-to-test approves someone else's fork");
    expect(await pylot().store.findApproval(REPO, 2, head)).toBeUndefined();
  });
});
