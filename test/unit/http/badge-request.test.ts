import { describe, expect, it } from "vitest";
import { isBranchName, parseBadgeUrl } from "../../../src/http/index.js";

const BASE = "/badges/octo/app";

describe("parseBadgeUrl", () => {
  it.each([
    {
      url: `${BASE}/status.svg?branch=main`,
      request: { kind: "status", owner: "octo", repo: "app", branch: "main" },
    },
    {
      url: `${BASE}/status.svg?branch=release%2F1.x&check=test%20(3.12%2C%20linux)&token=abc_-1`,
      request: {
        kind: "status",
        owner: "octo",
        repo: "app",
        branch: "release/1.x",
        check: "test (3.12, linux)",
        token: "abc_-1",
      },
    },
    { url: `${BASE}/status.svg`, request: { kind: "status", owner: "octo", repo: "app" } },
    {
      url: "/badges/Octo-Org/my.lib_2/coverage.svg?branch=dev",
      request: { kind: "coverage", owner: "Octo-Org", repo: "my.lib_2", branch: "dev" },
    },
    {
      url: `${BASE}/deploy/staging.svg?token=t0k3n`,
      request: { kind: "deploy", owner: "octo", repo: "app", env: "staging", token: "t0k3n" },
    },
    {
      url: `${BASE}/status.svg?branch=main&utm_source=readme`,
      request: { kind: "status", owner: "octo", repo: "app", branch: "main" },
    },
  ])("reads $url", ({ url, request }) => {
    const parsed = parseBadgeUrl(url);

    expect(parsed).toEqual({ kind: "ours", request });
  });

  it.each([
    `${BASE}/status.svg?branch=..%2Fsecrets`,
    `${BASE}/status.svg?branch=-rf`,
    `${BASE}/status.svg?branch=`,
    `${BASE}/status.svg?branch=a&branch=b`,
    `${BASE}/status.svg?branch=main%00`,
    `${BASE}/status.svg?check=%3Cimg%20src%3Dx%3E`,
    `${BASE}/status.svg?token=not%20base64`,
    `${BASE}/status.svg?token=${"a".repeat(129)}`,
    `${BASE}/deploy/..svg`,
    `${BASE}/deploy/st%2Fage.svg`,
    `${BASE}/deploy/%E0%A4%A.svg`,
    "/badges/-octo/app/status.svg",
    "/badges/octo/../status.svg",
    "/badges/oc%2Fto/app/status.svg",
    `/badges/${"o".repeat(40)}/app/status.svg`,
    `${BASE}/status.png`,
    `${BASE}/status.svg/extra`,
    "/badges/octo/status.svg",
  ])("refuses %s", (url) => {
    const parsed = parseBadgeUrl(url);

    expect(parsed).toEqual({ kind: "invalid" });
  });

  it.each(["/healthz", "/metrics", "/api/github/webhooks", "/badgesx/octo/app/status.svg", "/"])(
    "leaves %s to other handlers",
    (url) => {
      const parsed = parseBadgeUrl(url);

      expect(parsed).toEqual({ kind: "not-ours" });
    },
  );
});

describe("isBranchName", () => {
  it.each([
    ["main", true],
    ["release/1.2", true],
    ["feature/x+y", true],
    ["dependabot/pip/requests-2.32.0", true],
    ["a..b", false],
    ["a//b", false],
    ["/main", false],
    ["main/", false],
    ["main.", false],
    ["-main", false],
    ["topic.lock", false],
    ["a/.hidden", false],
    ["with space", false],
    ["x".repeat(256), false],
  ])("%s → %s", (name, valid) => {
    expect(isBranchName(name)).toBe(valid);
  });
});
