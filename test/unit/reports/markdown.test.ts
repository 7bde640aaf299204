import { describe, expect, it } from "vitest";
import { findingsList, formatPercent, type Finding } from "../../../src/reports/index.js";
import { cell, lineRanges, link, signedPercent, text } from "../../../src/reports/markdown.js";

describe("escaping user-controlled text", () => {
  it.each([
    { input: "a | b", output: "a \\| b" },
    { input: "`code` and ``more``", output: "\\`code\\` and \\`\\`more\\`\\`" },
    { input: "<img src=x onerror=alert(1)>", output: "\\<img src=x onerror=alert(1)\\>" },
    { input: "<!-- pylot:pr-comment -->", output: "\\<\\!-- pylot:pr-comment --\\>" },
    { input: "[click](https://evil.example)", output: "\\[click\\](https://evil.example)" },
    { input: "![x](https://evil.example/p.png)", output: "\\!\\[x\\](https://evil.example/p.png)" },
    { input: "**bold** _it_ ~~gone~~", output: "\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~" },
    { input: "cc @octocat and @acme/team", output: "cc @\u200boctocat and @\u200bacme/team" },
    { input: "fixes #12, see acme/x#3", output: "fixes \\#\u200b12, see acme/x\\#\u200b3" },
    { input: "$\\sqrt{2}$", output: "\\$\\\\sqrt\\{2\\}\\$" },
    { input: "&lt;b&gt;", output: "\\&lt;b\\&gt;" },
    { input: "line one\nline two\r\n\tthree", output: "line one line two three" },
    { input: "nul\u0000 and\u2028separator", output: "nul and separator" },
  ])("neutralises $input", ({ input, output }) => {
    expect(text(input)).toBe(output);
  });

  it("cuts long text before escaping, so no escape is split", () => {
    const escaped = text("|".repeat(50), 10);

    expect(escaped).toBe(`${"\\|".repeat(9)}…`);
  });

  it("never leaves a cell empty", () => {
    expect(cell("   ")).toBe(" ");
  });

  it("keeps a row's cell count whatever a message holds", () => {
    const finding: Finding = {
      tool: "flake8",
      path: "a|b.py",
      line: 1,
      severity: "error",
      rule: "E1",
      title: "t",
      message: "x | y\n| --- |\n<script>",
    };

    const table = findingsList([finding], { rows: 5, chars: 300 });

    const row = table.split("\n")[2] ?? "";
    expect(row.split(/(?<!\\)\|/).length).toBe(6);
  });

  it.each([
    { url: "https://github.com/acme/shop/runs/1", linked: true },
    { url: "javascript:alert(1)", linked: false },
    { url: "https://x.example/a b", linked: false },
    { url: "https://x.example/a)b", linked: false },
    { url: `https://x.example/${"a".repeat(3000)}`, linked: false },
  ])("links only plain http(s) URLs: $url", ({ url, linked }) => {
    expect(link("label", url) !== "label").toBe(linked);
  });
});

describe("numbers", () => {
  it.each([
    { value: 78.846, shown: "78.85%" },
    { value: 99.999, shown: "99.99%" },
    { value: 0.0001, shown: "0.01%" },
    { value: 100, shown: "100.00%" },
    { value: 0, shown: "0.00%" },
  ])("shows $value as coverage.py would: $shown", ({ value, shown }) => {
    expect(formatPercent(value)).toBe(shown);
  });

  it.each([
    { delta: 1.234, shown: "+1.23%" },
    { delta: -0.5, shown: "−0.50%" },
    { delta: 0.001, shown: "±0.00%" },
    { delta: -0.004, shown: "±0.00%" },
  ])("signs the delta $delta as $shown", ({ delta, shown }) => {
    expect(signedPercent(delta)).toBe(shown);
  });

  it.each([
    { lines: [], shown: "" },
    { lines: [3], shown: "3" },
    { lines: [1, 2, 3, 5, 7, 8], shown: "1-3, 5, 7-8" },
    { lines: [1, 3, 5, 7], max: 2, shown: "1, 3 … and 2 more" },
  ])("writes $lines as ranges", ({ lines, max, shown }) => {
    expect(lineRanges(lines, max)).toBe(shown);
  });
});
