import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  badgeMarkdown,
  badgeToken,
  matchesEtag,
  parseBadgeUrl,
  renderBadge,
  verifyBadgeToken,
} from "../../../src/http/index.js";

const SECRET = "s3cret";

describe("badge tokens", () => {
  it("are HMAC-SHA256 of `repo:kind` with the secret, base64url", () => {
    const expected = createHmac("sha256", SECRET).update("octo/app:status").digest("base64url");

    const token = badgeToken({ secret: SECRET, repo: "octo/app", kind: "status" });

    expect(token).toBe(expected);
  });

  it.each([
    { what: "its own token", repo: "octo/app", kind: "status", secret: SECRET, valid: true },
    { what: "any case of the name", repo: "Octo/App", kind: "status", secret: SECRET, valid: true },
    { what: "another kind's", repo: "octo/app", kind: "coverage", secret: SECRET, valid: false },
    { what: "another repo's", repo: "octo/lib", kind: "status", secret: SECRET, valid: false },
    { what: "a rotated secret's", repo: "octo/app", kind: "status", secret: "old", valid: false },
  ] as const)("accept $what: $valid", ({ repo, kind, secret, valid }) => {
    const token = badgeToken({ secret, repo, kind });

    const accepted = verifyBadgeToken({ secret: SECRET, repo: "octo/app", kind: "status", token });

    expect(accepted).toBe(valid);
  });

  it.each(["", "short", "x".repeat(200)])("refuse a token of another length (%s)", (token) => {
    expect(verifyBadgeToken({ secret: SECRET, repo: "octo/app", kind: "status", token })).toBe(
      false,
    );
  });
});

describe("badgeMarkdown", () => {
  it("links the public badges of a branch", () => {
    const markdown = badgeMarkdown({
      publicUrl: "https://pylot.example/",
      repo: "octo/app",
      branch: "release/1.x",
      environments: ["staging", "production"],
    });

    expect(markdown).toBe(
      [
        "![Pylot status](https://pylot.example/badges/octo/app/status.svg?branch=release%2F1.x)",
        "![Pylot coverage](https://pylot.example/badges/octo/app/coverage.svg?branch=release%2F1.x)",
        "![staging deployment](https://pylot.example/badges/octo/app/deploy/staging.svg)",
        "![production deployment](https://pylot.example/badges/octo/app/deploy/production.svg)",
      ].join("\n"),
    );
  });

  it("signs each URL of a private repository with its kind's token, which the route accepts", () => {
    const markdown = badgeMarkdown({
      publicUrl: "https://pylot.example",
      repo: "octo/app",
      branch: "main",
      secret: SECRET,
      environments: ["staging"],
    });
    const paths = [...markdown.matchAll(/\]\(https:\/\/pylot\.example([^)]+)\)/g)].map(
      (m) => m[1] ?? "",
    );

    const parsed = paths.map((path) => parseBadgeUrl(path));

    expect(parsed.map((p) => (p.kind === "ours" ? p.request.token : p.kind))).toEqual([
      badgeToken({ secret: SECRET, repo: "octo/app", kind: "status" }),
      badgeToken({ secret: SECRET, repo: "octo/app", kind: "coverage" }),
      badgeToken({ secret: SECRET, repo: "octo/app", kind: "deploy" }),
    ]);
  });
});

describe("renderBadge", () => {
  it("draws a flat SVG with escaped text and a stable strong ETag", () => {
    const face = { label: "a<b", message: "passing", color: "brightgreen" };

    const [one, two] = [renderBadge(face), renderBadge(face)];
    const other = renderBadge({ ...face, message: "failing" });

    expect(one.svg).toMatch(/^<svg /);
    expect(one.svg).toContain("<title>a&lt;b: passing</title>");
    expect(one.etag).toBe(two.etag);
    expect(other.etag).not.toBe(one.etag);
  });

  it.each([
    { header: undefined, matches: false },
    { header: '"abc"', matches: true },
    { header: 'W/"abc"', matches: true },
    { header: '"x", "abc"', matches: true },
    { header: "*", matches: true },
    { header: '"abd"', matches: false },
  ])("If-None-Match $header matches: $matches", ({ header, matches }) => {
    expect(matchesEtag(header, '"abc"')).toBe(matches);
  });
});
