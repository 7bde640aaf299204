import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, serveTarball, sha, usePylot } from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { startHealthServer, type HealthServer } from "../helpers/health-server.js";
import {
  ChatOpsGitHub,
  GREEN,
  PIPELINE_ONLY,
  PR,
  apiDeployment,
  commentPayload,
} from "./chatops-fixtures.js";

const gh = useGitHubStub();
const pylot = usePylot();
let service: HealthServer;

beforeEach(async () => {
  service = await startHealthServer({ kind: "status", status: 200 });
  // The health check is real HTTP to the local service; GitHub stays stubbed.
  nock.enableNetConnect("127.0.0.1");
});

afterEach(async () => {
  // nock reports requests it let through to the local service too: those were expected.
  const local = gh.unexpected.filter((request) => request.includes(service.origin));
  expect(local.every((request) => request.startsWith("GET "))).toBe(true);
  gh.unexpected.splice(0, gh.unexpected.length, ...gh.unexpected.filter((r) => !local.includes(r)));
  await service.close();
});

const [GOOD, BAD] = [sha("a1"), sha("b2")];

/**
 * Staging's deploy command tells the local service which commit it deployed, as a real deploy
 * would change what runs; the service's `/health` answers according to its mode.
 */
function healthConfig(): string {
  const announce = `u.urlopen(''${service.origin}/deployed/'' + os.environ[''PYLOT_SHA''])`;
  return `${PIPELINE_ONLY}
deploy:
  staging:
    run: 'python -c "import os, urllib.request as u; ${announce}"'
    allow: [write]
    url: https://staging.example.com
    health: { url: "${service.origin}/health", timeout: 1 }
`;
}

/** GitHub for `/deploy staging` of BAD, accepted as deployment 101 over `history`. */
async function deployOfBad(history: readonly Record<string, unknown>[], states: object) {
  const api = gh.api();
  const stub = new ChatOpsGitHub(api)
    .defaultConfig(healthConfig())
    .permission("maintainer", "write")
    .pull(BAD)
    .checks(BAD, GREEN)
    .history("staging", history, states as Record<number, string>)
    .acceptDeployment(101)
    .acceptStatuses(101, 4)
    .acceptReactions(2);
  await serveTarball(api, BAD, "ok");
  return { stub, checks: fakeChecks() };
}

/** Then the automatic rollback to GOOD (deployment 30) as deployment 102. */
async function rollbackToGood(stub: ChatOpsGitHub): Promise<void> {
  stub
    .defaultConfig(healthConfig())
    .history("staging", [apiDeployment(101, BAD, { pr: PR }), apiDeployment(30, GOOD)], {
      30: "success",
    })
    .acceptDeployment(102)
    .acceptStatuses(102, 4);
  await serveTarball(stub.api, GOOD, "ok");
}

const states = (stub: ChatOpsGitHub) => stub.statuses.map((s) => [s.id, s.body.state]);

describe("deploy.<env>.health after a deploy", () => {
  it("marks a deployment that answers 2xx successful, saying it is healthy", async () => {
    service.mode = { kind: "healthy-when", shas: [BAD] };
    const { stub, checks } = await deployOfBad([], {});
    stub.acceptReplies(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));
    const reaction = await stub.ended;
    await pylot().services.engine.idle();

    const logUrl = checks.latest("Pylot / deploy (staging)")?.details_url ?? "";
    expect(reaction).toBe("rocket");
    expect(service.deployed).toBe(BAD);
    expect(stub.statuses.map((s) => s.body)).toEqual([
      { state: "queued", description: "Queued by maintainer" },
      {
        state: "in_progress",
        description: "Running the deploy command of staging",
        log_url: logUrl,
      },
      {
        state: "in_progress",
        description: `Checking health: ${service.origin}/health`,
        log_url: logUrl,
      },
      {
        state: "success",
        description: "deployed to staging; healthy (HTTP 200)",
        log_url: logUrl,
        environment_url: "https://staging.example.com",
      },
    ]);
    expect(checks.latest("Pylot / deploy (staging)")).toMatchObject({
      conclusion: "success",
      output: { title: "Deployed; healthy (HTTP 200)" },
    });
    expect(stub.replies[1]).toContain("✅ Deployed `b2b2b2b` to `staging` (deployment 101)");
  });

  it("marks an unhealthy deployment failed and rolls back to the previous good one", async () => {
    service.mode = { kind: "healthy-when", shas: [GOOD] };
    const { stub, checks } = await deployOfBad([apiDeployment(30, GOOD)], { 30: "success" });
    await rollbackToGood(stub);
    stub.acceptReplies(3);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));
    const reaction = await stub.ended;
    await stub.replied(3);
    await pylot().services.engine.idle();

    expect(reaction).toBe("confused");
    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.deployments.map((d) => [d.ref, d.task, d.payload])).toEqual([
      [BAD, "deploy", { pylot: 1, actor: "maintainer", pr: PR, command: "/deploy staging" }],
      [
        GOOD,
        "deploy:rollback",
        { pylot: 1, actor: "pylot", pr: PR, trigger: "auto-rollback", rollbackFrom: 101 },
      ],
    ]);
    expect(states(stub)).toEqual([
      [101, "queued"],
      [101, "in_progress"],
      [101, "in_progress"],
      [101, "failure"],
      [102, "queued"],
      [102, "in_progress"],
      [102, "in_progress"],
      [102, "success"],
    ]);
    expect(stub.statuses[3]?.body.description).toMatch(
      /^Health check failed: HTTP 500 after \d+ attempts$/,
    );
    expect(service.deployed).toBe(GOOD);
    expect(checks.named("Pylot / deploy (staging)").map((c) => [c.head_sha, c.conclusion])).toEqual(
      [
        [BAD, "failure"],
        [GOOD, "success"],
      ],
    );
    expect(stub.replies[1]).toMatch(
      new RegExp(
        `^❌ Deployed \`b2b2b2b\` to \`staging\` \\(deployment 101\\), but its \\[health check\\]\\(${service.origin}/health\\) failed: HTTP 500 after \\d+ attempts · \\[log\\]\\(.+\\)\\. The deployment is marked failed\\.\\n\\n⏪ Rolling back by itself to \`a1a1a1a\` \\(deployment 30\\): deployment 102 · \\[log\\]\\(.+\\)\\.$`,
      ),
    );
    expect(stub.replies[2]).toContain(
      "⏪ `staging` went back from `b2b2b2b` to `a1a1a1a` (deployment 102)",
    );
    expect(stub.replies[2]).not.toContain("inactive");
    const mirror = await pylot().store.listDeployments(REPO, "staging");
    expect(mirror.map((d) => [d.id, d.state])).toEqual([
      [102, "success"],
      [101, "failure"],
      [30, "success"],
    ]);
  });

  it("does not roll back a rollback that is unhealthy too (no loop)", async () => {
    service.mode = { kind: "status", status: 500 };
    const { stub } = await deployOfBad([apiDeployment(30, GOOD)], { 30: "success" });
    await rollbackToGood(stub);
    stub.acceptReplies(3);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));
    await stub.replied(3);
    await pylot().services.engine.idle();

    expect(stub.deployments.map((d) => d.task)).toEqual(["deploy", "deploy:rollback"]);
    expect(states(stub).at(-1)).toEqual([102, "failure"]);
    expect(stub.replies[2]).toContain(
      "This was a rollback, so Pylot does not roll back again: `staging` needs a look.",
    );
  });

  it("says so when there is nothing to roll back to, and deploys nothing more", async () => {
    service.mode = { kind: "hang" };
    const { stub, checks } = await deployOfBad([], {});
    stub
      .defaultConfig(healthConfig())
      .history("staging", [apiDeployment(101, BAD, { pr: PR })], {})
      .acceptReplies(2);

    await pylot().receive("issue_comment", commentPayload("/deploy staging"));
    await stub.ended;
    await pylot().services.engine.idle();

    expect(stub.deployments).toHaveLength(1);
    expect(stub.statuses.at(-1)?.body).toMatchObject({
      state: "failure",
      description: "Health check failed: no answer within 1 s (1 attempt)",
    });
    expect(checks.latest("Pylot / deploy (staging)")).toMatchObject({
      conclusion: "failure",
      output: { title: "Unhealthy: no answer within 1 s (1 attempt)" },
    });
    expect(stub.replies[1]).toContain(
      "Not rolled back: No earlier successful deployment of another commit to staging before deployment 101 \\(b2b2b2b\\); nothing to roll back to.",
    );
  });
});
