import { describe, expect, it } from "vitest";
import { artifactUrl, parseArtifactUrl } from "../../../src/http/artifact-request.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const BASE = `/artifacts/octo/app/${SHA}`;

describe("parseArtifactUrl", () => {
  it.each([
    [`${BASE}/app-1.0-py3-none-any.whl`, { kind: "file", name: "app-1.0-py3-none-any.whl" }],
    [
      `${BASE}/app-1.0.tar.gz?token=abc_-9`,
      { kind: "file", name: "app-1.0.tar.gz", token: "abc_-9" },
    ],
    [BASE, { kind: "list" }],
    [`${BASE}/`, { kind: "list" }],
    [`/artifacts/octo/app/${SHA.toUpperCase()}`, { kind: "list" }],
  ])("%s is a request", (url, expected) => {
    const parsed = parseArtifactUrl(url);

    expect(parsed).toEqual({
      kind: "ours",
      request: { owner: "octo", repo: "app", sha: SHA, ...expected },
    });
  });

  it.each([
    // As sent by a client that does not normalise paths (curl --path-as-is).
    `${BASE}/..`,
    `${BASE}/../../../etc/passwd`,
    `${BASE}/%2e%2e`,
    `${BASE}/a%2Fb.whl`,
    `${BASE}/app..whl`,
    `${BASE}/.hidden`,
    `${BASE}/%E0%A4%A`,
    `/artifacts/../app/${SHA}/x.whl`,
    `/artifacts/octo/app/abc1234/x.whl`,
    `/artifacts/octo/app`,
    `${BASE}/x.whl?token=`,
    `${BASE}/x.whl?token=a%20b`,
  ])("%s is invalid", (url) => {
    expect(parseArtifactUrl(url)).toEqual({ kind: "invalid" });
  });

  it.each(["/badges/octo/app/status.svg", "/artifactsx/octo", "/"])("%s is not ours", (url) => {
    expect(parseArtifactUrl(url)).toEqual({ kind: "not-ours" });
  });
});

describe("artifactUrl", () => {
  it("builds the address the route parses back", () => {
    const url = artifactUrl({
      publicUrl: "https://pylot.example/",
      repo: "octo/app",
      sha: SHA,
      name: "app-1.0+local-py3-none-any.whl",
    });

    expect(url).toBe(`https://pylot.example${BASE}/app-1.0%2Blocal-py3-none-any.whl`);
    expect(parseArtifactUrl(new URL(url).pathname)).toMatchObject({
      request: { kind: "file", name: "app-1.0+local-py3-none-any.whl" },
    });
  });
});
