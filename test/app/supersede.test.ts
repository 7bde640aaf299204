import { describe, expect, it, vi } from "vitest";
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

const SLEEPY = `
install: []
timeout-minutes: 1
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python sleeper.py", coverage: false }
`;

/** Until the commit's job runs (its process started), so cancelling has something to kill. */
async function untilRunning(commit: string): Promise<void> {
  const pipeline = await pylot().store.findPipelineBySha(REPO, commit);
  await vi.waitFor(async () => {
    const jobs = await pylot().store.listJobs(pipeline?.id ?? "");
    expect(jobs[0]?.state).toBe("in_progress");
  });
}

describe("a new push to a pull request", () => {
  it("cancels the superseded pipeline (its check runs end cancelled) and builds the new head", async () => {
    const [old, head] = [sha("8a"), sha("9b")];
    const api = gh.api();
    serveConfig(api, old, SLEEPY);
    await serveTarball(api, old, "sleepy");
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    await pylot().receive("pull_request", pullRequestPayload("opened", old));
    await untilRunning(old);

    await pylot().receive("pull_request", pullRequestPayload("synchronize", head));
    const cancelled = await pylot().settle(old);
    const fresh = await pylot().settle(head);

    expect(cancelled.pipeline).toMatchObject({
      conclusion: "cancelled",
      cancelReason: `superseded by ${head.slice(0, 7)}`,
    });
    expect(checks.states(old)).toEqual([
      ["Pylot", "completed", "cancelled"],
      ["Pylot / test (3.11, linux)", "completed", "cancelled"],
    ]);
    const summary = checks.runs.find((r) => r.head_sha === old && r.name === "Pylot");
    expect(summary?.output.title).toBe(`Cancelled: superseded by ${head.slice(0, 7)}`);
    expect(fresh.pipeline.conclusion).toBe("success");
  });
});

describe("a new push to a feature branch", () => {
  it("cancels the branch's running pipeline", async () => {
    const [old, head] = [sha("b1"), sha("c2")];
    const api = gh.api();
    serveConfig(api, old, SLEEPY);
    await serveTarball(api, old, "sleepy");
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    await pylot().receive("push", pushPayload(old, "refs/heads/feature"));
    await untilRunning(old);

    await pylot().receive("push", pushPayload(head, "refs/heads/feature"));
    const cancelled = await pylot().settle(old);
    await pylot().settle(head);

    expect(cancelled.pipeline.conclusion).toBe("cancelled");
    expect(checks.states(old).map(([name, , conclusion]) => [name, conclusion])).toEqual([
      ["Pylot", "cancelled"],
      ["Pylot / test (3.11, linux)", "cancelled"],
    ]);
  });
});

describe("GitHub failing a create with a 5xx", () => {
  it("does not lead to a second check run: the writer finds the one GitHub made", async () => {
    const head = sha("ac");
    const api = gh.api();
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    checks.failCreates(1);
    checks.serveList();

    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    await pylot().settle(head);

    expect(checks.states()).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
  });
});
