import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  pullRequestPayload,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
  QUICK,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";

const gh = useGitHubStub();
const pylot = usePylot();

describe("a push", () => {
  it("to a branch builds the pushed commit", async () => {
    const head = sha("e5");
    const api = gh.api();
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();

    await pylot().receive("push", pushPayload(head, "refs/heads/feature"));
    const view = await pylot().settle(head);

    expect(view.pipeline.trigger).toMatchObject({
      event: "push",
      ref: "refs/heads/feature",
      repo: REPO,
      sha: head,
    });
    expect(view.pipeline.conclusion).toBe("success");
    expect(checks.states()).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
  });

  it.each([
    ["deleting a branch", pushPayload("0".repeat(40), "refs/heads/gone", true)],
    ["of a tag", pushPayload(sha("f6"), "refs/tags/v1.0")],
  ])("%s makes no request and runs nothing", async (_what, payload) => {
    await pylot().receive("push", payload);

    const running = await pylot().store.findRunningPipelines({ repo: REPO });
    expect(running).toEqual([]);
  });
});

describe("deliveries", () => {
  it("delivered twice run once: the second makes no request", async () => {
    const head = sha("a7");
    const api = gh.api();
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    fakeChecks();
    const payload = pushPayload(head, "refs/heads/feature");

    await pylot().receive("push", payload, "same-delivery");
    await pylot().receive("push", payload, "same-delivery");
    await pylot().settle(head);

    const pipelines = await pylot().store.findRunningPipelines({ repo: REPO });
    const first = await pylot().store.findPipelineBySha(REPO, head);
    expect(pipelines).toEqual([]);
    expect(first?.status).toBe("completed");
  });

  it("that failed (GitHub answered 500) is processed again when GitHub redelivers it", async () => {
    const head = sha("c9");
    const api = gh.api();
    api.get(`/repos/${REPO}/contents/.github%2Fpylot.yml`).query({ ref: head }).reply(500);
    const payload = pushPayload(head, "refs/heads/feature");
    await expect(pylot().receive("push", payload, "flaky-delivery")).rejects.toThrow();
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    fakeChecks();

    await pylot().receive("push", payload, "flaky-delivery");
    const view = await pylot().settle(head);

    expect(view.pipeline.conclusion).toBe("success");
  });

  it("of a push and a pull request for one commit build it once, reading its config once", async () => {
    const head = sha("b8");
    const api = gh.api();
    serveConfig(api, head, QUICK, 1);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();

    await Promise.all([
      pylot().receive("push", pushPayload(head, "refs/heads/changes")),
      pylot().receive("pull_request", pullRequestPayload("synchronize", head)),
    ]);
    await pylot().settle(head);

    expect(checks.named("Pylot")).toHaveLength(1);
    expect(checks.named("Pylot / test (3.11, linux)")).toHaveLength(1);
  });
});
