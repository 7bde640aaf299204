import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  pullRequestPayload,
  pushPayload,
  serveConfig,
  serveTarball,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { fakeComments, fakePullRequest, noPullRequests } from "./reports-fakes.js";

const gh = useGitHubStub();
const pylot = usePylot();

const only = (parts: string) => `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
${parts}
`;

describe("the bandit gate", () => {
  it.each([
    ["high", "failure"],
    ["none", "success"],
  ])(
    "with fail-on %s concludes the security check %s, annotating shell=True on its line",
    async (failOn, conclusion) => {
      const head = sha(failOn === "high" ? "1a" : "2b");
      const api = gh.api();
      const config = only(`
security: { bandit: { paths: [vault], fail-on: ${failOn}, confidence: medium } }
test: { run: "python -c 'import vault'", coverage: false }`);
      serveConfig(api, head, config);
      await serveTarball(api, head, "insecure");
      const checks = fakeChecks();
      noPullRequests(gh.api());

      await pylot().receive("push", pushPayload(head, "refs/heads/feature"));
      await pylot().settle(head);

      const security = checks.latest("Pylot / security");
      const annotations = security?.output.annotations ?? [];
      expect(security?.conclusion).toBe(conclusion);
      expect(annotations).toContainEqual(
        expect.objectContaining({
          path: "vault/__init__.py",
          start_line: 9,
          annotation_level: "failure",
          title: expect.stringContaining("B602") as unknown,
        }),
      );
      expect(security?.output.summary).toContain("### Findings");
    },
  );
});

describe("the coverage gate", () => {
  it("fails under test.coverage.minimum with the merged total", async () => {
    const head = sha("3c");
    const api = gh.api();
    serveConfig(
      api,
      head,
      only(`security: { bandit: false }
test: { run: "pytest -q", coverage: { minimum: 80 } }`),
    );
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    noPullRequests(gh.api(), 2);

    await pylot().receive("push", pushPayload(head, "refs/heads/feature"));
    await pylot().settle(head);

    const coverage = checks.latest("Pylot / coverage");
    expect(coverage).toMatchObject({
      conclusion: "failure",
      output: { title: "coverage 60.00% is below the minimum 80%" },
    });
    expect(coverage?.output.summary).toContain("**Total: 60.00% ❌ (minimum 80%)**");
    expect(coverage?.output.summary).toContain(
      "| okcalc/\\_\\_init\\_\\_.py | 5 | 2 | 60.00% | 11-12 |",
    );
  });

  it("fails under diff-minimum on the pull request's changed lines, and comments once", async () => {
    const head = sha("4d");
    const api = gh.api();
    serveConfig(
      api,
      head,
      only(`security: { bandit: false }
test: { run: "pytest -q", coverage: { minimum: 50, diff-minimum: 90 } }`),
    );
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    const patch = [
      "@@ -6,3 +6,7 @@ def add(left, right):",
      "     return left + right",
      " ",
      " ",
      "+def double(value):",
      '+    """Return twice value. Deliberately untested, so coverage is 60%."""',
      "+    result = value * 2",
      "+    return result",
    ].join("\n");
    fakePullRequest({
      head,
      base: sha("00"),
      files: [{ filename: "okcalc/__init__.py", patch }],
    })
      .servePull()
      .serveFiles();
    const comments = fakeComments();

    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    const view = await pylot().settle(head);
    await pylot().services.reporters.reporterFor(view.pipeline).pipelineCompleted(view);
    await pylot().services.reporters.idle();

    const coverage = checks.latest("Pylot / coverage");
    expect(coverage).toMatchObject({
      conclusion: "failure",
      output: {
        title:
          "diff coverage 33.33% of 3 changed lines is below the minimum 90%; coverage 60.00% (minimum 50%)",
      },
    });
    expect(coverage?.output.summary).toContain("**Diff coverage: 33.33% ❌ (minimum 90%)**");
    expect(coverage?.output.summary).toContain("no base coverage yet");
    expect(comments.writes).toEqual(["POST"]);
    expect(comments.comments).toHaveLength(1);
    expect(comments.comments[0]?.body).toContain("**Diff coverage: 33.33% ❌ (minimum 90%)**");
    expect(comments.comments[0]?.body).toContain(
      "[Pylot / coverage](https://github.com/Codertocat/Hello-World/runs/",
    );
    const runs = checks.runs.length;
    expect(checks.writes.length + comments.writes.length).toBeLessThanOrEqual(2 * runs + 2);
  });

  it("says 'coverage report rejected' when the job left a coverage.xml with a DOCTYPE", async () => {
    const head = sha("5e");
    const api = gh.api();
    serveConfig(
      api,
      head,
      only(`security: { bandit: false }
test: { run: "python -m pytest -q && python spoil_coverage.py", coverage: { minimum: 50 } }`),
    );
    await serveTarball(api, head, "pr-hostile");
    const checks = fakeChecks();
    noPullRequests(gh.api());

    await pylot().receive("push", pushPayload(head, "refs/heads/feature"));
    await pylot().settle(head);

    const leg = checks.latest("Pylot / test (3.11, linux)");
    const gate = checks.latest("Pylot / coverage");
    const rejected = "coverage report rejected: it declares a DOCTYPE";
    expect(leg?.conclusion).toBe("success");
    expect(leg?.output.title).toContain(rejected);
    expect(leg?.output.summary).toContain(rejected);
    expect(gate).toMatchObject({ conclusion: "failure", output: { title: rejected } });
  });
});

describe("a pull request opened on a commit a push built already", () => {
  it("gets its comment from the completed pipeline, without building again", async () => {
    const head = sha("6f");
    const api = gh.api();
    serveConfig(
      api,
      head,
      only(`security: { bandit: false }\ntest: { run: "pytest -q", coverage: {} }`),
    );
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    noPullRequests(gh.api(), 2);
    await pylot().receive("push", pushPayload(head, "refs/heads/changes"));
    await pylot().settle(head);
    const writes = checks.writes.length;
    fakePullRequest({ head, base: sha("00") })
      .serveAssociated()
      .serveFiles();
    const comments = fakeComments();

    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    await pylot().services.reporters.idle();

    expect(checks.writes).toHaveLength(writes);
    expect(comments.writes).toEqual(["POST"]);
    expect(comments.comments[0]?.body).toContain("**Total: 60.00%**");
  });
});
