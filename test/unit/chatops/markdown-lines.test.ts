import { describe, expect, it } from "vitest";
import {
  MAX_COMMENT_LENGTH,
  capBody,
  codeSpans,
  plainLines,
} from "../../../src/chatops/markdown-lines.js";

describe("codeSpans", () => {
  it.each([
    { text: "a `b` c", spans: [{ start: 2, end: 5 }] },
    { text: "``a ` b``", spans: [{ start: 0, end: 9 }] },
    { text: "`unclosed", spans: [] },
    { text: "\\`not `code`", spans: [{ start: 6, end: 12 }] },
    { text: "`a\nb`", spans: [{ start: 0, end: 5 }] },
    { text: "` `` `", spans: [{ start: 0, end: 6 }] },
    { text: "\\\\`code`", spans: [{ start: 2, end: 8 }] },
  ])("$text", ({ text, spans }) => {
    const result = codeSpans(text);

    expect(result).toEqual(spans);
  });
});

describe("plainLines", () => {
  it.each([
    { name: "paragraphs", body: "a\nb\n\nc", lines: ["a", "b", "c"] },
    { name: "fence", body: "a\n```\nb\n```\nc", lines: ["a", "c"] },
    { name: "quote and lazy line", body: "> q\nlazy\n\nafter", lines: ["after"] },
    { name: "indented code vs continuation", body: "    code\n\np\n    cont", lines: ["p"] },
    { name: "indented after a fence", body: "```\nx\n```\n    code", lines: [] },
    { name: "span across lines", body: "a `\nb\n` c\nd", lines: ["a `", "d"] },
    { name: "HTML comment", body: "a <!--\nb\n-->\nc", lines: ["a <!--", "c"] },
  ])("$name", ({ body, lines }) => {
    const result = [...plainLines(body)];

    expect(result).toEqual(lines);
  });
});

describe("capBody", () => {
  it.each([
    { name: "short body unchanged", body: "a\nb", expected: "a\nb" },
    {
      name: "exactly at the limit",
      body: "x".repeat(MAX_COMMENT_LENGTH),
      expected: "x".repeat(MAX_COMMENT_LENGTH),
    },
    { name: "one line over the limit", body: "x".repeat(MAX_COMMENT_LENGTH + 1), expected: "" },
    {
      name: "cut line dropped",
      body: `${"a".repeat(10)}\n${"b".repeat(MAX_COMMENT_LENGTH)}`,
      expected: "a".repeat(10),
    },
  ])("$name", ({ body, expected }) => {
    const result = capBody(body);

    expect(result).toBe(expected);
  });
});
