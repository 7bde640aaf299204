import { describe, expect, it } from "vitest";
import {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  renderJobSummary,
  renderPrComment,
  SUMMARY_LIMIT,
} from "../../../src/reports/index.js";
import { fitSections } from "../../../src/reports/fit.js";
import { coverageSummary, giantComment, lintSummary, shopComment, shopSummary } from "./models.js";

describe("renderPrComment", () => {
  it("renders the shop project's pull request", () => {
    const body = renderPrComment(shopComment());

    expect(body).toMatchSnapshot();
  });

  it("starts with the marker and is the same text for the same model", () => {
    const model = shopComment();

    const body = renderPrComment(model);

    expect(body.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(renderPrComment(structuredClone(model))).toBe(body);
  });

  it("says plainly when the base branch has no coverage yet", () => {
    const model = shopComment({ base: false });

    const body = renderPrComment(model);

    expect(body).toContain(
      "no base coverage yet: the base branch has no stored coverage to compare with.",
    );
  });

  it("names the nearest ancestor when the base SHA itself has no coverage", () => {
    const model = shopComment();
    const coverage = {
      ...model.coverage,
      base: {
        sha: "abcdef1234567890",
        coverage: { covered: 1, statements: 1, percent: 100 },
        ancestor: true,
      },
    };

    const body = renderPrComment({ ...model, coverage });

    expect(body).toContain(
      "▼ −21.15% against the nearest stored ancestor on the base branch (abcdef123456, 100.00%)",
    );
  });

  it("counts every bandit finding when there is no base to compare with", () => {
    const model = shopComment();
    const security = { findings: model.security?.findings ?? [] };

    const body = renderPrComment({ ...model, security });

    expect(body).toContain(
      "No base findings are stored yet, so every finding is counted here.\n\n|  | High | Medium | Low |\n| --- | --- | --- | --- |\n| All | 1 | 0 | 1 |",
    );
  });

  it("fits a giant model under GitHub's limit, trimming tables with '… and N more'", () => {
    const body = renderPrComment(giantComment());

    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(body).toMatch(/… and \d+ more/);
    expect(body.match(/<details/g)?.length).toBe(body.match(/<\/details>/g)?.length);
  });

  it("keeps hostile names inside their cells", () => {
    const model = shopComment();
    const checks = [
      { name: "x | <script>alert(1)</script> @everyone #1", conclusion: "success" as const },
    ];

    const body = renderPrComment({ ...model, checks });

    expect(body).toContain(
      "| x \\| \\<script\\>alert(1)\\</script\\> @\u200beveryone \\#\u200b1 | ✅ success |",
    );
    expect(body).not.toMatch(/<script>/);
  });
});

describe("renderJobSummary", () => {
  it.each([
    { name: "a test leg", input: shopSummary() },
    { name: "the lint job", input: lintSummary() },
    { name: "the coverage gate", input: coverageSummary() },
  ])("renders the check run summary of $name", ({ input }) => {
    expect(renderJobSummary(input)).toMatchSnapshot();
  });

  it("stays within a given limit", () => {
    const model = giantComment();
    const summary = {
      tests: model.tests,
      findings: { findings: model.security?.findings ?? [], omitted: 4000 },
      ...(model.coverage?.report === undefined
        ? {}
        : { coverage: { report: model.coverage.report } }),
    };

    const full = renderJobSummary(summary);
    const small = renderJobSummary({ ...summary, limit: 5000 });

    expect(full.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(small.length).toBeLessThanOrEqual(5000);
  });
});

describe("fitSections", () => {
  const head = () => "<!-- marker -->\n## Title\n\nfor commit abc";
  const block = (name: string, size: number) => () =>
    `### ${name}\n\n<details><summary>s</summary>\n\n${"x".repeat(size)}\n\n</details>`;

  it.each([
    { name: "everything fits", sizes: [100, 100, 100], limit: 1000, kept: 3 },
    { name: "the last section is too big", sizes: [100, 100, 5000], limit: 1000, kept: 2 },
    { name: "the first is", sizes: [5000, 100, 100], limit: 1000, kept: 0 },
  ])("keeps whole sections from the start when $name", ({ sizes, limit, kept }) => {
    const sections = sizes.map((size, i) => block(`S${i}`, size));

    const body = fitSections({ head, sections, limit, omitted: "see the check runs" });

    expect(body.length).toBeLessThanOrEqual(limit);
    expect(body.match(/^### S\d$/gm)?.length ?? 0).toBe(kept);
    expect(body.match(/<details>/g)?.length ?? 0).toBe(body.match(/<\/details>/g)?.length ?? 0);
    expect(body.startsWith("<!-- marker -->")).toBe(true);
    if (kept < sizes.length)
      expect(body).toContain(
        `_${sizes.length - kept} section(s) left out to fit GitHub's limit: see the check runs._`,
      );
  });

  it("falls back on the title alone when the head itself is too long", () => {
    const body = fitSections({
      head: () => `<!-- marker -->\n## T\n\n${"y".repeat(500)}`,
      sections: [],
      limit: 200,
      omitted: "see the check runs",
    });

    expect(body).toBe(
      "<!-- marker -->\n## T\n\n_Left out to fit GitHub's limit: see the check runs._",
    );
  });
});
