import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, serveTarball, sha, usePylot } from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, DEPLOY_CONFIG, apiDeployment, commentPayload } from "./chatops-fixtures.js";

const gh = useGitHubStub();
const pylot = usePylot();

const [GOOD, BAD, BROKEN] = [sha("a1"), sha("b2"), sha("c3")];
/** Newest first, as GitHub lists them: 30 is live, 25 failed, 20 was live before 30. */
const HISTORY = [
  apiDeployment(30, BAD, { pr: 3 }),
  apiDeployment(25, BROKEN, { pr: 4 }),
  apiDeployment(20, GOOD, { pr: 1 }),
];

describe("/rollback staging", () => {
  it("deploys the previous good commit again and marks the current one inactive", async () => {
    const api = gh.api();
    const stub = new ChatOpsGitHub(api)
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .history("staging", HISTORY, { 30: "success", 25: "failure", 20: "inactive" })
      .acceptDeployment(40)
      .acceptStatuses(40, 3)
      .acceptStatuses(30, 1)
      .acceptReplies(2)
      .acceptReactions(2);
    await serveTarball(api, GOOD, "ok");
    const checks = fakeChecks();

    await pylot().receive("issue_comment", commentPayload("/rollback staging"));
    const reaction = await stub.ended;
    await pylot().services.engine.idle();

    expect(reaction).toBe("rocket");
    expect(stub.deployments).toEqual([
      expect.objectContaining({
        ref: GOOD,
        task: "deploy:rollback",
        environment: "staging",
        payload: {
          pylot: 1,
          actor: "maintainer",
          pr: 2,
          command: "/rollback staging",
          rollbackFrom: 30,
        },
      }),
    ]);
    expect(stub.statuses.map((s) => [s.id, s.body.state])).toEqual([
      [40, "queued"],
      [40, "in_progress"],
      [40, "success"],
      [30, "inactive"],
    ]);
    expect(checks.latest("Pylot / deploy (staging)")).toMatchObject({
      head_sha: GOOD,
      conclusion: "success",
    });
    expect(stub.replies[0]).toBe(
      `⏪ Rolling \`staging\` back from \`b2b2b2b\` (deployment 30) to \`a1a1a1a\` (deployment 20): deployment 40 · [log](${checks.latest("Pylot / deploy (staging)")?.details_url ?? ""}).`,
    );
    expect(stub.replies[1]).toContain(
      "⏪ `staging` went back from `b2b2b2b` to `a1a1a1a` (deployment 40; deployment 30 is now inactive)",
    );
    const mirror = await pylot().store.listDeployments(REPO, "staging");
    expect(mirror.map((d) => [d.id, d.state])).toEqual([
      [40, "success"],
      [30, "inactive"],
      [25, "failure"],
      [20, "inactive"],
    ]);
  });

  it("says clearly when there is nothing to roll back to, and deploys nothing", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .history("staging", [apiDeployment(30, BAD)], { 30: "success" })
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/rollback staging"));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toContain(
      "No earlier successful deployment of another commit to staging before deployment 30 \\(b2b2b2b\\)",
    );
    expect(stub.deployments).toEqual([]);
  });

  it("reads settled statuses from the store's mirror instead of asking GitHub again", async () => {
    await pylot().store.saveDeployments(REPO, [
      {
        id: 25,
        sha: BROKEN,
        environment: "staging",
        createdAt: "2024-05-01T09:25:00.000Z",
        state: "failure",
        creator: "pylot[bot]",
        task: "deploy",
      },
      {
        id: 20,
        sha: GOOD,
        environment: "staging",
        createdAt: "2024-05-01T09:20:00.000Z",
        state: "inactive",
        creator: "pylot[bot]",
        task: "deploy",
      },
    ]);
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .history("staging", HISTORY, { 30: "success" })
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/rollback staging to 25"));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toContain(
      "The deployment of deployment 25 to staging never succeeded \\(failure\\)",
    );
  });
});
