import { describe, expect, it } from "vitest";
import { REPO, usePylot } from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, DEPLOY_CONFIG, closedPayload, commentPayload } from "./chatops-fixtures.js";

const gh = useGitHubStub();
const pylot = usePylot();

const lock = (env: string, pr: number) => ({
  env,
  pr,
  actor: `dev${pr}`,
  since: "2024-05-01T09:30:00.000Z",
});

describe("/lock and /unlock", () => {
  it("holds an environment for the pull request, with a reason, then releases it", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/lock staging QA until <b>Friday</b>"));
    const held = await pylot().store.getLock(REPO, "staging");
    const again = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .acceptReplies(1)
      .acceptReactions(2);
    await pylot().receive("issue_comment", commentPayload("/unlock staging"));

    expect(held).toMatchObject({
      env: "staging",
      pr: 2,
      actor: "maintainer",
      reason: "QA until <b>Friday</b>",
    });
    expect(stub.replies[0]).toBe(
      "🔒 `staging` is locked for this pull request: QA until &lt;b&gt;Friday&lt;/b&gt;. Others cannot deploy to it until `/unlock staging`, a merge or a close.",
    );
    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    expect(again.replies).toEqual(["🔓 `staging` is unlocked."]);
    expect(again.reactions).toEqual(["eyes", "rocket"]);
    expect(await pylot().store.getLock(REPO, "staging")).toBeUndefined();
  });

  it("lets one of two pull requests racing for a lock win, and tells the other who did", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .defaultConfig(DEPLOY_CONFIG)
      .permission("alice", "write")
      .permission("bob", "write")
      .acceptReplies(1, 2)
      .acceptReplies(1, 3)
      .acceptReactions(2, 1)
      .acceptReactions(2, 2);

    await Promise.all([
      pylot().receive(
        "issue_comment",
        commentPayload("/lock staging", { login: "alice", pr: 2, id: 1 }),
      ),
      pylot().receive(
        "issue_comment",
        commentPayload("/lock staging", { login: "bob", pr: 3, id: 2 }),
      ),
    ]);

    const holder = await pylot().store.getLock(REPO, "staging");
    const won = stub.replies.filter((reply) =>
      reply.startsWith("🔒 `staging` is locked for this pull request"),
    );
    const lost = stub.replies.filter((reply) => reply.startsWith("🚫 staging is locked by PR"));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain(`PR #&#8203;${holder?.pr ?? 0} \\(${holder?.actor ?? ""}\\)`);
    expect(stub.reactions.sort()).toEqual(["confused", "eyes", "eyes", "rocket"]);
  });

  it("refuses to unlock another pull request's lock to a non-admin", async () => {
    await pylot().store.acquireLock(REPO, lock("staging", 9));
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/unlock staging"));

    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toContain("Only that pull request or an admin can unlock it.");
    expect(await pylot().store.getLock(REPO, "staging")).toEqual(lock("staging", 9));
  });
});

describe("closing a pull request", () => {
  it("releases its locks and no one else's, without a word to GitHub", async () => {
    await pylot().store.acquireLock(REPO, lock("staging", 2));
    await pylot().store.acquireLock(REPO, lock("production", 5));

    await pylot().receive("pull_request", closedPayload(2));

    expect(await pylot().store.listLocks(REPO)).toEqual([lock("production", 5)]);
  });
});
