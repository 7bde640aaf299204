import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  CONTENTS,
  REPO,
  pullRequestPayload,
  pushPayload,
  serveConfig,
  sha,
  usePylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";

const gh = useGitHubStub();
const pylot = usePylot();

describe("a broken .github/pylot.yml", () => {
  it("gives one failing Pylot / config check annotated at the line, and nothing runs", async () => {
    const head = sha("c9");
    const api = gh.api();
    const text = 'python: ["3.12"]\nlint:\n  flake8: {}\n  blak: {}\n';
    serveConfig(api, head, text, 2);
    const checks = fakeChecks({ updates: false });

    await pylot().receive("pull_request", pullRequestPayload("opened", head));
    await pylot().receive("push", pushPayload(head, "refs/heads/changes"));

    expect(await pylot().store.findPipelineBySha(REPO, head)).toBeUndefined();
    expect(checks.runs).toHaveLength(1);
    expect(checks.runs[0]).toMatchObject({
      name: "Pylot / config",
      external_id: `config/${head}`,
      conclusion: "failure",
      output: {
        title: "1 problem in .github/pylot.yml",
        annotations: [
          expect.objectContaining({
            path: ".github/pylot.yml",
            start_line: 4,
            end_line: 4,
            annotation_level: "failure",
            title: "lint.blak",
          }),
        ],
      },
    });
  });
});

describe("a repository without Pylot", () => {
  it("with no config and no Python markers gets no check run: only the lookups", async () => {
    const head = sha("d0");
    gh.api()
      .get(`${CONTENTS}/.github%2Fpylot.yml`)
      .query({ ref: head })
      .reply(404)
      .get("/repos/Codertocat/.github/contents/.github%2Fpylot.yml")
      .reply(404)
      .get(CONTENTS)
      .query({ ref: head })
      .reply(200, [
        { name: "README.md", type: "file" },
        { name: "index.js", type: "file" },
      ]);

    await pylot().receive("pull_request", pullRequestPayload("opened", head));

    expect(await pylot().store.findPipelineBySha(REPO, head)).toBeUndefined();
  });
});
