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
import {
  ChatOpsGitHub,
  DEPLOY_CONFIG,
  GREEN,
  PIPELINE_ONLY,
  PR,
  apiDeployment,
  commentPayload,
} from "./chatops-fixtures.js";

const gh = useGitHubStub();
const SECRET = "s3cr3t-deploy-token";
const pylot = usePylot({ PYLOT_ENV_STAGING_TOKEN: SECRET });

/** GitHub for a `/deploy staging` that is accepted and runs to the end. */
async function acceptedDeploy(head: string, id: number) {
  const api = gh.api();
  const stub = new ChatOpsGitHub(api)
    .defaultConfig(DEPLOY_CONFIG)
    .permission("maintainer", "write")
    .pull(head)
    .checks(head, GREEN)
    .history("staging", [], {})
    .acceptDeployment(id)
    .acceptStatuses(id, 3)
    .acceptReplies(2)
    .acceptReactions(2);
  await serveTarball(api, head, "ok");
  return { stub, checks: fakeChecks() };
}

async function finished(stub: ChatOpsGitHub): Promise<string> {
  const reaction = await stub.ended;
  await pylot().services.engine.idle();
  return reaction;
}

describe("/deploy staging on a green pull request", () => {
  it("deploys the exact head commit with the environment's secrets, and says so", async () => {
    const head = sha("a1");
    const { stub, checks } = await acceptedDeploy(head, 101);

    await pylot().receive("issue_comment", commentPayload("LGTM, shipping it\n/deploy staging"));
    const reaction = await finished(stub);

    const check = checks.latest("Pylot / deploy (staging)");
    const logUrl = check?.details_url ?? "";
    expect(reaction).toBe("rocket");
    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    expect(stub.deployments).toEqual([
      {
        ref: head,
        task: "deploy",
        auto_merge: false,
        required_contexts: [],
        environment: "staging",
        payload: { pylot: 1, actor: "maintainer", pr: PR, command: "/deploy staging" },
        production_environment: false,
        description: `deploy ${head.slice(0, 7)} to staging`,
      },
    ]);
    expect(logUrl).toMatch(/^https:\/\/pylot\.example\/pipelines\/[0-9a-f-]+\/jobs\/deploy$/);
    expect(stub.statuses.map((s) => s.body)).toEqual([
      { state: "queued", description: "Queued by maintainer" },
      {
        state: "in_progress",
        description: "Running the deploy command of staging",
        log_url: logUrl,
      },
      {
        state: "success",
        description: "deployed to staging",
        log_url: logUrl,
        environment_url: "https://staging.example.com",
      },
    ]);
    expect(check).toMatchObject({
      head_sha: head,
      external_id: "deploy/101",
      status: "completed",
      conclusion: "success",
    });
    expect(check?.output.text).toContain(`env=staging id=101 token=*** sha=${head}`);
    expect(stub.replies).toEqual([
      `🚀 Deploying \`${head.slice(0, 7)}\` to \`staging\`: deployment 101 · [log](${logUrl}).`,
      `✅ Deployed \`${head.slice(0, 7)}\` to \`staging\` (deployment 101) · [log](${logUrl}) · [staging](https://staging.example.com).`,
    ]);
    expect(JSON.stringify([stub.replies, stub.statuses, checks.runs])).not.toContain(SECRET);
    expect(await pylot().store.listDeployments(REPO)).toMatchObject([
      { id: 101, sha: head, state: "success", actor: "maintainer", pr: PR },
    ]);
  });

  it("deploys the SHA seen at acceptance, even when a push lands right after", async () => {
    const [seen, pushed] = [sha("b2"), sha("c3")];
    const { stub, checks } = await acceptedDeploy(seen, 102);
    serveConfig(
      gh.api(),
      pushed,
      `${PIPELINE_ONLY}\ntest: { run: "python -c 'import okcalc'", coverage: false }\n`,
    );
    await serveTarball(gh.api(), pushed, "ok");

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));
    await pylot().receive("pull_request", pullRequestPayload("synchronize", pushed));
    await finished(stub);
    const ci = await pylot().settle(pushed);

    expect(stub.deployments[0]).toMatchObject({ ref: seen });
    expect(checks.latest("Pylot / deploy (staging)")).toMatchObject({
      head_sha: seen,
      conclusion: "success",
    });
    expect(stub.statuses.at(-1)?.body).toMatchObject({ state: "success" });
    expect(ci.pipeline.trigger.sha).toBe(pushed);
    expect(ci.pipeline.conclusion).toBe("success");
  });
});

describe("/deploy --dry-run", () => {
  it("runs every gate and shows the plan with secrets masked; nothing is deployed", async () => {
    const head = sha("d4");
    const config = DEPLOY_CONFIG.replace(
      `'echo "env=$PYLOT_ENVIRONMENT id=$PYLOT_DEPLOYMENT_ID token=$TOKEN sha=$PYLOT_SHA"'`,
      `./deploy.sh --token ${SECRET}`,
    );
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(config)
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging --dry-run"));

    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    expect(stub.replies[0]).toContain("🧪 Dry run: every gate passed");
    expect(stub.replies[0]).toContain("./deploy.sh --token ***");
    expect(stub.replies[0]).not.toContain(SECRET);
    expect(await pylot().store.listDeployments(REPO)).toEqual([]);
  });
});

describe("/deploy refusals", () => {
  function refusedWith(stub: ChatOpsGitHub, text: string) {
    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies).toHaveLength(1);
    expect(stub.replies[0]).toContain(text);
  }

  it("refuses a read-only user before looking at the pull request", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "read")
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));

    refusedWith(stub, "needs write permission or higher; you have read.");
  });

  it("refuses a red pull request, naming the failing check", async () => {
    const head = sha("e5");
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, [
        ["Pylot", "failure"],
        ["Pylot / test (3.11, linux)", "failure"],
        ["other-ci", "success"],
      ])
      .history("staging", [], {})
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));

    refusedWith(
      stub,
      "are not green: Pylot \\(failure\\), Pylot / test \\(3.11, linux\\) \\(failure\\).",
    );
  });

  it("answers an unknown environment with the help, without asking anything else", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy qa"));

    refusedWith(stub, 'unknown environment "qa" \\(configured: staging, production\\).');
    expect(stub.replies[0]).toContain("**Pylot commands**");
  });

  it("refuses an environment another pull request has locked, naming the holder", async () => {
    const head = sha("f6");
    await pylot().store.acquireLock(REPO, {
      env: "staging",
      pr: 99,
      actor: "qa-lead",
      reason: "release testing",
      since: "2024-05-01T09:30:00.000Z",
    });
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));

    refusedWith(
      stub,
      "staging is locked by PR #&#8203;99 \\(qa-lead\\) since 2024-05-01 09:30 UTC",
    );
  });

  it("refuses while another deployment of the environment runs: one at a time", async () => {
    const head = sha("a7");
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .pull(head)
      .checks(head, GREEN)
      .history(
        "staging",
        [apiDeployment(77, sha("b8"), { pr: 5, createdAt: new Date().toISOString() })],
        { 77: "in_progress" },
      )
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));

    refusedWith(stub, "Deployment 77 of b8b8b8b to staging is still in progress");
  });

  it("never deploys a fork's code", async () => {
    const head = sha("c9");
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "admin")
      .pull(head, { fork: true })
      .checks(head, GREEN)
      .history("staging", [], {})
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging --force"));

    refusedWith(stub, "code from forks never runs with deploy secrets");
  });
});

describe("comments that deploy nothing and cost no request", () => {
  it.each([
    { name: "an edited comment", payload: commentPayload("/deploy staging", { action: "edited" }) },
    { name: "a quoted command", payload: commentPayload("> /deploy staging\n\nwhy not?") },
    { name: "a command in a code block", payload: commentPayload("```\n/deploy staging\n```") },
    { name: "a command mid-sentence", payload: commentPayload("please /deploy staging") },
    {
      name: "a bot's comment",
      payload: commentPayload("/deploy staging", { login: "pylot[bot]", bot: true }),
    },
    {
      name: "a comment on an issue",
      payload: commentPayload("/deploy staging", { onIssue: true }),
    },
  ])("$name", async ({ payload }) => {
    await pylot().receive("issue_comment", payload);

    expect(gh.unexpected).toEqual([]);
    expect(await pylot().store.listDeployments(REPO)).toEqual([]);
  });
});
