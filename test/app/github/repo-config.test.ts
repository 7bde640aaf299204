import { describe, expect, it } from "vitest";
import { createConfigCache, loadRepoConfig } from "../../../src/github/repo-config.js";
import { testOctokit, useGitHubStub } from "../../helpers/github.js";

const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const AT = { owner: "Codertocat", repo: "Hello-World", sha: SHA };
const FILE = "/repos/Codertocat/Hello-World/contents/.github%2Fpylot.yml";
const ORG_FILE = "/repos/Codertocat/.github/contents/.github%2Fpylot.yml";
const ROOT = "/repos/Codertocat/Hello-World/contents";
const gh = useGitHubStub();

describe("loadRepoConfig", () => {
  it("reads .github/pylot.yml at the commit and validates it", async () => {
    gh.api().get(FILE).query({ ref: SHA }).reply(200, 'python: ["3.12"]\nlint: { black: false }\n');

    const loaded = await loadRepoConfig(testOctokit(), AT);

    expect(loaded).toMatchObject({ kind: "config", origin: "file", config: { python: ["3.12"] } });
  });

  it("follows _extends to an organisation's config", async () => {
    gh.api()
      .get(FILE)
      .query({ ref: SHA })
      .reply(200, "_extends: .github\nlint: { black: false }\n")
      .get(ORG_FILE)
      .reply(200, 'python: ["3.10", "3.11"]\n');

    const loaded = await loadRepoConfig(testOctokit(), AT);

    expect(loaded).toMatchObject({
      kind: "config",
      config: { python: ["3.10", "3.11"], lint: { black: false } },
    });
  });

  it("points at the line of an invalid value, reading the raw file once more", async () => {
    const text = 'python: ["3.12"]\nlint:\n  flake8: {}\n  blak: {}\n';
    gh.api().get(FILE).query({ ref: SHA }).times(2).reply(200, text);

    const loaded = await loadRepoConfig(testOctokit(), AT);

    expect(loaded).toMatchObject({
      kind: "invalid",
      annotate: true,
      errors: [{ file: ".github/pylot.yml", line: 4, key: "lint.blak" }],
    });
  });

  it("points at the line of a YAML syntax error", async () => {
    gh.api()
      .get(FILE)
      .query({ ref: SHA })
      .times(2)
      .reply(200, 'python: ["3.12"]\nlint: {\n  flake8: [\n');

    const loaded = await loadRepoConfig(testOctokit(), AT);

    expect(loaded.kind).toBe("invalid");
    if (loaded.kind !== "invalid") return;
    expect(loaded.annotate).toBe(true);
    expect(loaded.errors[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it("uses the zero-config defaults for a Python project without config", async () => {
    gh.api()
      .get(FILE)
      .query({ ref: SHA })
      .reply(404)
      .get(ORG_FILE)
      .reply(404)
      .get(ROOT)
      .query({ ref: SHA })
      .reply(200, [
        { name: "pyproject.toml", type: "file" },
        { name: "src", type: "dir" },
      ]);

    const loaded = await loadRepoConfig(testOctokit(), AT);

    expect(loaded).toMatchObject({ kind: "config", origin: "defaults", config: { os: ["linux"] } });
  });

  it("leaves a repository with neither config nor Python markers alone", async () => {
    gh.api()
      .get(FILE)
      .query({ ref: SHA })
      .reply(404)
      .get(ORG_FILE)
      .reply(404)
      .get(ROOT)
      .query({ ref: SHA })
      .reply(200, [
        { name: "package.json", type: "file" },
        { name: "pyproject.toml", type: "dir" },
      ]);

    const loaded = await loadRepoConfig(testOctokit(), AT);

    expect(loaded).toEqual({ kind: "none" });
  });

  it("rethrows GitHub's own failures: they are not config problems", async () => {
    gh.api().get(FILE).query({ ref: SHA }).reply(500, { message: "down" });

    const loading = loadRepoConfig(testOctokit(), AT);

    await expect(loading).rejects.toMatchObject({ status: 500 });
  });
});

describe("the config cache", () => {
  it("loads a commit's config once, even for concurrent events", async () => {
    gh.api().get(FILE).query({ ref: SHA }).reply(200, "lint: { black: false }\n");
    const cache = createConfigCache();
    const octokit = testOctokit();

    const [a, b] = await Promise.all([
      cache.get(AT, () => loadRepoConfig(octokit, AT)),
      cache.get(AT, () => loadRepoConfig(octokit, AT)),
    ]);

    expect(a).toBe(b);
  });

  it("forgets a failed load, and a commit on request", async () => {
    gh.api()
      .get(FILE)
      .query({ ref: SHA })
      .reply(500)
      .get(FILE)
      .query({ ref: SHA })
      .times(2)
      .reply(200, "{}\n");
    const cache = createConfigCache();
    const octokit = testOctokit();
    const load = () => loadRepoConfig(octokit, AT);

    await expect(cache.get(AT, load)).rejects.toMatchObject({ status: 500 });
    await cache.get(AT, load);
    cache.forget(AT);
    const again = await cache.get(AT, load);

    expect(again.kind).toBe("config");
  });

  it("lets one event per commit report a broken config", () => {
    const cache = createConfigCache();

    const claims = [cache.claimReport(AT), cache.claimReport(AT)];

    expect(claims).toEqual([true, false]);
  });
});
