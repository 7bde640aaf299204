import type { Context } from "probot";
import { describe, expect, it } from "vitest";
import {
  decideCheckRun,
  decideCheckSuite,
  decidePullRequest,
  decidePush,
} from "../../../src/handlers/decide.js";
import {
  checkRunPayload,
  checkSuitePayload,
  pullRequestPayload,
  pushPayload,
  sha,
} from "../../helpers/github-app.js";

// Example payloads are typed by @octokit/webhooks-types; the decisions take Probot's types.
const push = (p: unknown) => p as Context<"push">["payload"];
const pr = (p: unknown) => p as Context<"pull_request.opened">["payload"];
const suite = (p: unknown) => p as Context<"check_suite.requested">["payload"];
const run = (p: unknown) => p as Context<"check_run.rerequested">["payload"];

const HEAD = sha("ab");

describe("decidePush", () => {
  it.each([
    [
      "a feature branch",
      pushPayload(HEAD, "refs/heads/feature"),
      { kind: "build", supersede: true },
    ],
    [
      "the default branch",
      pushPayload(HEAD, "refs/heads/master"),
      { kind: "build", supersede: false },
    ],
    ["a tag", pushPayload(HEAD, "refs/tags/v1"), { kind: "skip", reason: "not-a-branch" }],
    [
      "a deletion",
      pushPayload("0".repeat(40), "refs/heads/x", true),
      { kind: "skip", reason: "deleted" },
    ],
    [
      "no installation",
      { ...pushPayload(HEAD), installation: undefined },
      { kind: "skip", reason: "no-installation" },
    ],
  ])("%s → %o", (_what, payload, expected) => {
    expect(decidePush(push(payload))).toMatchObject(expected);
  });

  it("targets the pushed commit of the repository", () => {
    const decision = decidePush(push(pushPayload(HEAD, "refs/heads/feature")));

    expect(decision).toEqual({
      kind: "build",
      supersede: true,
      target: {
        owner: "Codertocat",
        repo: "Hello-World",
        sha: HEAD,
        ref: "refs/heads/feature",
        event: "push",
        installationId: 1,
      },
    });
  });
});

describe("decidePullRequest", () => {
  it("builds a same-repository head and names its branch", () => {
    const decision = decidePullRequest(pr(pullRequestPayload("opened", HEAD)));

    expect(decision).toMatchObject({
      kind: "build",
      headRef: "refs/heads/changes",
      target: { sha: HEAD, ref: "refs/pull/2/head", pullRequest: 2, event: "pull_request" },
    });
  });

  it.each([
    ["a fork", pullRequestPayload("opened", HEAD, { fork: true }), "forker/Hello-World"],
    [
      "a deleted fork",
      (() => {
        const payload = pullRequestPayload("synchronize", HEAD);
        (payload.pull_request as { head: { repo: unknown } }).head.repo = null;
        return payload;
      })(),
      "a deleted fork",
    ],
  ])("gates %s", (_what, payload, headRepo) => {
    const decision = decidePullRequest(pr(payload));

    expect(decision).toMatchObject({
      kind: "fork",
      headRepo,
      url: "https://github.com/Codertocat/Hello-World/pull/2",
    });
  });
});

describe("decideCheckSuite", () => {
  it.each([
    [
      "requested",
      "master",
      { rerun: false, headBranch: "master", target: { ref: "refs/heads/master" } },
    ],
    ["rerequested", null, { rerun: true, headBranch: null, target: { ref: HEAD } }],
  ] as const)("%s on %s", (action, branch, expected) => {
    const decision = decideCheckSuite(suite(checkSuitePayload(action, HEAD, branch)));

    expect(decision).toMatchObject({ kind: "build", ...expected });
  });
});

describe("decideCheckRun", () => {
  const P = "0b6c7f3e-2a59-4c37-9f0e-8d2a1f1e9d10";
  it.each([
    ["job/2/" + P + ":lint", undefined, { kind: "rerun-job", jobId: `${P}:lint` }],
    [`summary/1/${P}`, undefined, { kind: "rerun-pipeline", which: { kind: "all" } }],
    [`matrix/1/${P}`, undefined, { kind: "rerun-pipeline", which: { kind: "failed" } }],
    [`summary/1/${P}`, "rerun-failed", { kind: "rerun-pipeline", which: { kind: "failed" } }],
    [`job/1/${P}:lint`, "rerun-failed", { kind: "skip", reason: "unknown-action" }],
    [`summary/1/${P}`, "something-else", { kind: "skip", reason: "unknown-action" }],
    [`gate/${HEAD}`, undefined, { kind: "skip", reason: "fork-gate" }],
    [
      `config/${HEAD}`,
      undefined,
      { kind: "recheck", target: { sha: HEAD, ref: "refs/heads/changes" } },
    ],
    ["someone-elses-id", undefined, { kind: "skip", reason: "not-ours" }],
  ])("%s (action %s) → %o", (externalId, identifier, expected) => {
    const action = identifier === undefined ? "rerequested" : "requested_action";
    const payload = checkRunPayload(action, {
      externalId,
      sha: HEAD,
      ...(identifier === undefined ? {} : { identifier }),
    });

    expect(decideCheckRun(run(payload))).toMatchObject(expected);
  });
});
