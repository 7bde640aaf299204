import { describe, expect, it } from "vitest";
import { code, escapeText, link, sanitizeText } from "../../../src/chatops/text.js";

describe("escapeText", () => {
  it.each([
    { name: "plain", text: "release on Friday", expected: "release on Friday" },
    { name: "mention", text: "ping @octocat", expected: "ping @&#8203;octocat" },
    { name: "team mention", text: "@org/team", expected: "@&#8203;org/team" },
    { name: "cross-reference", text: "see other/repo#12", expected: "see other/repo#&#8203;12" },
    {
      name: "HTML",
      text: "<img src=x onerror=alert(1)>",
      expected: "&lt;img src=x onerror=alert\\(1\\)&gt;",
    },
    { name: "entity", text: "&lt;b&gt;", expected: "&amp;lt;b&amp;gt;" },
    {
      name: "markdown",
      text: "**bold** _it_ `code` [l](u) |",
      expected: "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[l\\]\\(u\\) \\|",
    },
    { name: "autolink", text: "https://evil.example", expected: "https:&#8203;//evil.example" },
    { name: "newlines and controls", text: "a\nb\u0000c\u202Ed", expected: "a bcd" },
    { name: "image", text: "![x](y)", expected: "\\!\\[x\\]\\(y\\)" },
  ])("$name", ({ text, expected }) => {
    const result = escapeText(text);

    expect(result).toBe(expected);
  });
});

describe("sanitizeText", () => {
  it.each([
    { text: "  a  b  ", max: 10, expected: "a b" },
    { text: "abcdef", max: 3, expected: "abc" },
    { text: "ab cdef", max: 3, expected: "ab" },
    { text: "\u0000\u0007\u001b[31mred", max: 20, expected: "[31mred" },
    { text: "a\u200Bb\uFEFFc", max: 20, expected: "abc" },
    { text: "x\uD800y", max: 20, expected: "xy" },
  ])("$text → $expected", ({ text, max, expected }) => {
    const result = sanitizeText(text, max);

    expect(result).toBe(expected);
  });
});

describe("code and link", () => {
  it.each([
    { input: "staging", expected: "`staging`" },
    { input: "a`b", expected: "a\\`b" },
    { input: "@x", expected: "@&#8203;x" },
  ])("code($input)", ({ input, expected }) => {
    const result = code(input);

    expect(result).toBe(expected);
  });

  it.each([
    { url: "https://github.com/o/r/runs/1", expected: "[log](https://github.com/o/r/runs/1)" },
    { url: "javascript:alert(1)", expected: "" },
    { url: "https://x/a)(b", expected: "" },
    { url: "https://x/a b", expected: "" },
    { url: undefined, expected: "" },
  ])("link($url)", ({ url, expected }) => {
    const result = link("log", url);

    expect(result).toBe(expected);
  });
});
