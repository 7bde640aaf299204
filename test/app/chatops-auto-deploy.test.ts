import { describe, expect, it } from "vitest";
import { createAutoDeploys } from "../../src/deploy/auto-deploy.js";
import { createConfigCache } from "../../src/github/repo-config.js";
import { fakeChecks, type FakeChecks } from "../helpers/github-checks.js";
import {
  QUICK,
  REPO,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { silentLog, testOctokit, useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, DEFAULT_BRANCH, apiDeployment } from "./chatops-fixtures.js";

const gh = useGitHubStub();
const SECRET = "auto-deploy-token-7c1d";
const pylot = usePylot({ PYLOT_ENV_STAGING_TOKEN: SECRET });

/** `staging` follows the default branch; `production` never deploys by itself. */
const AUTO_CONFIG = `${QUICK}
deploy:
  staging:
    run: 'echo "env=$PYLOT_ENVIRONMENT ref=$PYLOT_REF sha=$PYLOT_SHA token=$TOKEN"'
    allow: [write]
    auto: { branch: ${DEFAULT_BRANCH} }
    url: https://staging.example.com
  production:
    run: ./scripts/deploy.sh production
    allow: [admin]
`;
const MASTER = `refs/heads/${DEFAULT_BRANCH}`;

/** A green push pipeline of `head` on the default branch; its check runs on their own scope. */
async function greenPush(head: string): Promise<FakeChecks> {
  const api = gh.api();
  serveConfig(api, head, AUTO_CONFIG);
  await serveTarball(api, head, "ok");
  return fakeChecks();
}

/** Every deploy pipeline still running, waited for. */
async function deploysDone(): Promise<void> {
  const { engine } = pylot().services;
  for (const pipeline of await pylot().store.listRunningPipelines())
    await engine.waitForPipeline(pipeline.id);
  await engine.idle();
}

describe("deploy.<env>.auto on a green push", () => {
  it("deploys the pushed commit once its pipeline is green, and shows it without a PR", async () => {
    const head = sha("a1");
    const checks = await greenPush(head);
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(AUTO_CONFIG)
      .history("staging", [], {})
      .acceptDeployment(201)
      .acceptStatuses(201, 3);

    await pylot().receive("push", pushPayload(head, MASTER));
    const ci = await pylot().settle(head);
    await deploysDone();

    const check = checks.latest("Pylot / deploy (staging)");
    const logUrl = check?.details_url ?? "";
    expect(ci.pipeline.conclusion).toBe("success");
    expect(stub.deployments).toEqual([
      {
        ref: head,
        task: "deploy",
        auto_merge: false,
        required_contexts: [],
        environment: "staging",
        payload: { pylot: 1, actor: "pylot", trigger: "auto", branch: DEFAULT_BRANCH },
        production_environment: false,
        description: `deploy ${head.slice(0, 7)} to staging`,
      },
    ]);
    expect(stub.statuses.map((s) => s.body)).toEqual([
      { state: "queued", description: `Queued: green pipeline on ${DEFAULT_BRANCH}` },
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
      external_id: "deploy/201",
      conclusion: "success",
    });
    expect(check?.output.summary).toBe(
      `Deployment 201 of \`${head.slice(0, 7)}\` to \`staging\`, automatic after a green pipeline on \`${DEFAULT_BRANCH}\`.`,
    );
    expect(check?.output.text).toContain(`env=staging ref=${MASTER} sha=${head} token=***`);
    expect(JSON.stringify([stub.statuses, checks.runs])).not.toContain(SECRET);
    expect(await pylot().store.listDeployments(REPO)).toMatchObject([
      { id: 201, sha: head, state: "success", actor: "pylot" },
    ]);
    const badge = await pylot().store.latestPipeline({
      repo: REPO,
      ref: MASTER,
      completedOnly: true,
    });
    expect(badge?.id).toBe(ci.pipeline.id);
  });

  it("deploys nothing again on a redelivered push or a re-run of the pipeline", async () => {
    const head = sha("b2");
    await greenPush(head);
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(AUTO_CONFIG)
      .history("staging", [], {})
      .acceptDeployment(202)
      .acceptStatuses(202, 3);
    const payload = pushPayload(head, MASTER);
    await pylot().receive("push", payload, "first-delivery");
    const ci = await pylot().settle(head);
    await deploysDone();
    // The re-run reads the default branch's config and history again: 202 is live.
    const replay = new ChatOpsGitHub(gh.api())
      .defaultConfig(AUTO_CONFIG)
      .history("staging", [apiDeployment(202, head)], { 202: "success" });

    await pylot().receive("push", payload, "redelivery");
    await pylot().services.engine.rerun(ci.pipeline.id, { kind: "all" });
    const again = await pylot().settle(head);
    await deploysDone();

    expect(again.pipeline.conclusion).toBe("success");
    expect(stub.deployments).toHaveLength(1);
    expect(replay.deployments).toEqual([]);
  });

  it("deploys once when two replicas see the same green pipeline", async () => {
    const head = sha("c3");
    await greenPush(head);
    const [first, second] = [gh.api(), gh.api()];
    // Pushes to another branch never deploy: this one is built, then offered to two replicas.
    await pylot().receive("push", pushPayload(head, "refs/heads/topic"));
    const ci = await pylot().settle(head);
    const view = {
      ...ci,
      pipeline: { ...ci.pipeline, trigger: { ...ci.pipeline.trigger, ref: MASTER } },
    };
    serveConfig(first, head, AUTO_CONFIG);
    serveConfig(second, head, AUTO_CONFIG);
    const stub = new ChatOpsGitHub(first)
      .defaultConfig(AUTO_CONFIG)
      .history("staging", [], {})
      .acceptDeployment(203)
      .acceptStatuses(203, 3);
    new ChatOpsGitHub(second).defaultConfig(AUTO_CONFIG).history("staging", [], {});
    const replica = () =>
      createAutoDeploys({
        octokitFor: () => Promise.resolve(testOctokit()),
        store: pylot().store,
        configs: createConfigCache(),
        engine: pylot().services.engine,
        publicUrl: undefined,
        badgeSecret: undefined,
        env: { PYLOT_ENV_STAGING_TOKEN: SECRET },
        defaultPython: "3.11",
        logger: silentLog,
      });

    await Promise.all([replica().pipelineCompleted(view), replica().pipelineCompleted(view)]);
    await deploysDone();

    expect(stub.deployments).toEqual([expect.objectContaining({ ref: head })]);
  });

  it("leaves a neutral check run saying why when a gate stops it, and deploys nothing", async () => {
    const head = sha("d4");
    const checks = await greenPush(head);
    await pylot().store.acquireLock(REPO, {
      env: "staging",
      pr: 5,
      actor: "qa",
      reason: "testing",
      since: "2024-05-01T09:30:00.000Z",
    });
    const stub = new ChatOpsGitHub(gh.api()).defaultConfig(AUTO_CONFIG).history("staging", [], {});

    await pylot().receive("push", pushPayload(head, MASTER));
    await pylot().settle(head);

    expect(stub.deployments).toEqual([]);
    expect(checks.latest("Pylot / deploy (staging)")).toMatchObject({
      head_sha: head,
      external_id: "deploy/none",
      status: "completed",
      conclusion: "neutral",
      output: {
        title: "Not deployed automatically",
        summary:
          "staging is locked by PR #5 (qa) since 2024-05-01 09:30 UTC: testing. It can deploy once that pull request unlocks it, is merged or closed.",
      },
    });
  });

  it("does not look at the default branch for a push the commit's config does not deploy", async () => {
    const head = sha("e5");
    const checks = await greenPush(head);

    await pylot().receive("push", pushPayload(head, "refs/heads/topic"));
    const ci = await pylot().settle(head);

    expect(ci.pipeline.conclusion).toBe("success");
    expect(checks.named("Pylot / deploy (staging)")).toEqual([]);
  });
});
