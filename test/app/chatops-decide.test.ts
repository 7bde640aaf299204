import type { Context } from "probot";
import { describe, expect, it } from "vitest";
import { deploymentState } from "../../src/deploy/orchestrate-reporter.js";
import {
  deployLogUrl,
  deployPipeline,
  deploySecretValues,
  isDeployPipeline,
} from "../../src/deploy/orchestrate.js";
import type { DeployPlan } from "../../src/deploy/gate.js";
import { newJobRecord, newPipelineRecord } from "../../src/engine/records.js";
import { badgeToken } from "../../src/http/badge-token.js";
import { decideIssueComment } from "../../src/handlers/chatops-decide.js";
import { failureReply } from "../../src/handlers/chatops-run.js";
import { COMMENT, commentPayload } from "./chatops-fixtures.js";

type Payload = Context<"issue_comment.created">["payload"];
/** The examples are typed loosely in the fixtures; this is the one cast of this file. */
const decide = (payload: Record<string, unknown>) =>
  decideIssueComment(payload as unknown as Payload);

describe("decideIssueComment", () => {
  it.each([
    { name: "a comment without a command", body: "Looks good to me", reason: "no-command" },
    { name: "a quoted command", body: "> /deploy staging", reason: "no-command" },
    { name: "a command in inline code", body: "`/deploy staging`", reason: "no-command" },
    { name: "an upper-case command", body: "/Deploy staging", reason: "no-command" },
    { name: "a bot", body: "/deploy staging", options: { bot: true }, reason: "bot" },
    { name: "an app's login", body: "/help", options: { login: "renovate[bot]" }, reason: "bot" },
    { name: "an issue", body: "/help", options: { onIssue: true }, reason: "not-a-pull-request" },
    {
      name: "an edit",
      body: "/help",
      options: { action: "edited" as const },
      reason: "not-created",
    },
  ])("skips $name", ({ body, options, reason }) => {
    const decision = decide(commentPayload(body, options));

    expect(decision).toEqual({ kind: "skip", reason });
  });

  it("skips a delivery without an installation", () => {
    const payload = { ...commentPayload("/help"), installation: undefined };

    expect(decide(payload)).toEqual({ kind: "skip", reason: "no-installation" });
  });

  it.each(["/deploy staging", "/deploy", "/lock qa $(rm -rf /)", "thanks!\n/help"])(
    "takes %j to the command runner, environments unchecked yet",
    (body) => {
      const decision = decide(commentPayload(body));

      expect(decision).toEqual({
        kind: "command",
        target: {
          owner: "Codertocat",
          repo: "Hello-World",
          installationId: 1,
          pr: 2,
          commentId: COMMENT,
          author: "maintainer",
          body,
          defaultBranch: "master",
          private: false,
        },
      });
    },
  );
});

const plan: DeployPlan = {
  env: "prod-eu",
  sha: "a".repeat(40),
  task: "deploy",
  productionEnvironment: true,
  run: "./deploy.sh eu",
  pr: 7,
  requires: [],
  bypassedChecks: [],
};

describe("deploy orchestration helpers", () => {
  it.each([
    ["success", "success"],
    ["failure", "failure"],
    ["timed_out", "failure"],
    ["cancelled", "error"],
    ["skipped", "error"],
    [null, "error"],
  ] as const)("a deploy job concluding %s leaves the deployment %s", (conclusion, state) => {
    expect(deploymentState(conclusion)).toBe(state);
  });

  it("plans one deploy job that installs nothing and carries the deployment id", () => {
    const pipeline = deployPipeline({
      plan,
      deploymentId: 9,
      python: "3.12",
      timeoutMs: 60_000,
      secrets: { TOKEN: "t0ken", API_KEY: "k3y" },
    });

    expect(pipeline).toEqual({
      jobs: [
        {
          key: "deploy",
          name: "deploy (prod-eu)",
          kind: "deploy",
          leg: { python: "3.12", os: "linux", extra: {} },
          needs: [],
          install: [],
          systemSitePackages: false,
          steps: [
            {
              kind: "deploy",
              run: "./deploy.sh eu",
              environment: "prod-eu",
              deploymentId: 9,
              secretNames: ["API_KEY", "TOKEN"],
            },
          ],
          timeoutMs: 60_000,
          matrix: false,
        },
      ],
      failFast: false,
      warnings: [],
    });
  });

  it("masks every PYLOT_ENV_ value, and nothing else", () => {
    const values = deploySecretValues({
      PYLOT_ENV_STAGING_TOKEN: "one",
      PYLOT_ENV_PROD_EU_KEY: "two",
      PYLOT_ENV_EMPTY: "",
      PYLOT_PUBLIC_URL: "https://pylot.example",
      HOME: "/root",
    });

    expect(values).toEqual(["one", "two"]);
  });

  it("links the log to Pylot's page when public, with the logs token when signed, else to the check run", () => {
    const pipeline = deployPipeline({
      plan,
      deploymentId: 9,
      python: "3.12",
      timeoutMs: 1000,
      secrets: {},
    });
    const record = newPipelineRecord({
      trigger: { source: "github", event: "deploy", sha: plan.sha, ref: plan.sha, repo: "o/r" },
      plan: pipeline,
      source: { kind: "dir", path: "/src" },
      now: "2024-05-01T10:00:00.000Z",
    });
    const spec = pipeline.jobs[0];
    if (spec === undefined) throw new Error("the deploy pipeline has no job");
    const job = newJobRecord(record.id, spec);
    const url = "https://github.com/o/r/runs/5";
    const view = { pipeline: record, jobs: [{ ...job, external: { deployCheckRunUrl: url } }] };

    const secret = "badge-secret";
    const token = badgeToken({ secret, repo: "o/r", kind: "logs" });
    const page = `https://pylot.example/pipelines/${record.id}/jobs/deploy`;

    expect(deployLogUrl({ publicUrl: "https://pylot.example/", secret: undefined }, view)).toBe(
      page,
    );
    expect(deployLogUrl({ publicUrl: "https://pylot.example", secret }, view)).toBe(
      `${page}?token=${token}`,
    );
    expect(deployLogUrl({ publicUrl: undefined, secret }, view)).toBe(url);
    expect(isDeployPipeline(record)).toBe(true);
  });

  it.each([
    [
      Object.assign(new Error("boom"), {
        status: 404,
        request: { method: "POST", url: "https://api.github.com/repos/o/r/deployments?x=1" },
      }),
      "GitHub answered 404 to POST `/repos/o/r/deployments`",
    ],
    [new Error("secret-ish details"), "an internal error (the bot's log has the details)"],
  ])("turns a failure into text without its free-form message", (error, text) => {
    const reply = failureReply(error);

    expect(reply).toContain(text);
    expect(reply).not.toContain("boom");
    expect(reply).not.toContain("secret-ish");
  });
});
