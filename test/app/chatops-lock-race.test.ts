import { describe, expect, it } from "vitest";
import { DeployEnvironmentSchema } from "../../src/config/schema.js";
import { deployGate } from "../../src/deploy/gate.js";
import { startDeploy } from "../../src/deploy/orchestrate.js";
import { REPO, sha, usePylot } from "../helpers/github-app.js";
import { testOctokit, useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, DEPLOY_CONFIG, GREEN, PR, commentPayload } from "./chatops-fixtures.js";

const gh = useGitHubStub();
const pylot = usePylot();

/** Another pull request's `/lock`, landing while this deploy is on its way. */
const OTHER = {
  env: "staging",
  pr: 9,
  actor: "dev9",
  reason: "QA",
  since: "2024-05-01T09:30:00.000Z",
};

describe("a /lock taken between the gate and the start of a deploy", () => {
  it("stops the deploy at the claim, marks its deployment error and names the holder", async () => {
    const head = sha("a1");
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptDeployment(101, () => pylot().store.acquireLock(REPO, OTHER))
      .acceptStatuses(101, 2)
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));

    expect(stub.deployments).toHaveLength(1);
    expect(stub.statuses.map((s) => s.body)).toEqual([
      { state: "queued", description: "Queued by maintainer" },
      {
        state: "error",
        description: "staging is locked by PR #9 (dev9) since 2024-05-01 09:30 UTC: QA",
      },
    ]);
    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toContain("🚫 `/deploy` refused: staging is locked by PR #&#8203;9");
    expect(stub.replies[0]).toContain("The lock was taken while this deploy was being prepared.");
    expect(await pylot().store.listRunningPipelines()).toEqual([]);
    expect(await pylot().store.listDeployments(REPO)).toMatchObject([{ id: 101, state: "error" }]);
  });

  it("stops it before anything is created when the lock is already there at the start", async () => {
    const head = sha("b2");
    const staging = DeployEnvironmentSchema.parse({ run: "./deploy.sh" });
    const gate = deployGate({
      env: "staging",
      config: { staging },
      headSha: head,
      checks: GREEN.map(([name, conclusion]) => ({ name, status: "completed", conclusion })),
      deployments: [],
      lock: undefined,
      pr: PR,
      force: false,
    });
    if (!gate.ok) throw new Error(gate.message);
    await pylot().store.acquireLock(REPO, OTHER);

    const started = await startDeploy(
      {
        octokit: testOctokit(),
        store: pylot().store,
        engine: pylot().services.engine,
        publicUrl: undefined,
      },
      {
        at: { owner: "Codertocat", repo: "Hello-World", installationId: 1 },
        plan: gate.plan,
        origin: { kind: "comment", pr: PR, commentId: 1 },
        actor: "maintainer",
        python: "3.11",
        timeoutMs: 60_000,
        secrets: {},
        redactions: [],
        now: new Date(),
      },
    );

    expect(started).toEqual({ kind: "locked", lock: OTHER });
    expect(await pylot().store.listDeployments(REPO)).toEqual([]);
  });
});
