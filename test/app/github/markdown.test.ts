import { describe, expect, it } from "vitest";
import {
  OUTPUT_LIMIT,
  capHead,
  cell,
  duration,
  firstLine,
  logBlock,
} from "../../../src/github/markdown.js";

describe("markdown helpers", () => {
  it.each([
    ["plain", "plain"],
    ["a|b", "a\\|b"],
    ["line\nbreak", "line break"],
    ["<script>", "\\<script\\>"],
    ["`code` *bold*", "\\`code\\` \\*bold\\*"],
  ])("escapes table cell %j", (input, expected) => {
    expect(cell(input)).toBe(expected);
  });

  it.each([
    ["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:01.500Z", "1.5 s"],
    ["2024-01-01T00:00:00.000Z", "2024-01-01T00:02:05.000Z", "2 min 5 s"],
    [null, "2024-01-01T00:00:01.000Z", ""],
    ["2024-01-01T00:00:02.000Z", "2024-01-01T00:00:01.000Z", ""],
  ])("duration %s → %s is %j", (from, to, expected) => {
    expect(duration(from, to)).toBe(expected);
  });

  it.each([
    ["first\nsecond", 200, "first"],
    ["", 200, ""],
    ["abcdef", 4, "abc…"],
  ])("first line of %j within %d is %j", (text, limit, expected) => {
    expect(firstLine(text, limit)).toBe(expected);
  });

  it("keeps the end of a long log and stays within GitHub's limit", () => {
    const log = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join("\n");

    const block = logBlock(log);

    expect(block.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(block).toContain("line 19999\n");
    expect(block).not.toContain("line 0\n");
    expect(block).toContain("earlier lines cut");
  });

  it("fences a log that contains backticks with a longer fence", () => {
    const block = logBlock("evil ```` close\nmore");

    expect(block).toContain("`````text\n");
    expect(block.endsWith("\n`````")).toBe(true);
  });

  it("cuts long summaries at the limit with a note", () => {
    const text = "x".repeat(OUTPUT_LIMIT + 10);

    const capped = capHead(text);

    expect(capped.length).toBe(OUTPUT_LIMIT);
    expect(capped.endsWith("(cut to fit GitHub's limit)")).toBe(true);
  });
});
