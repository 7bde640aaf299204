import { describe, expect, it } from "vitest";
import type { ParsedComment } from "../../../src/chatops/commands.js";
import { parseCommand } from "../../../src/chatops/parse-command.js";

const options = { environments: ["staging", "production", "eu.prod-2"] };
const NONE: ParsedComment = { kind: "none" };
const deploy = (env: string, flags: { dryRun?: boolean; force?: boolean } = {}): ParsedComment => ({
  kind: "deploy",
  env,
  dryRun: flags.dryRun ?? false,
  force: flags.force ?? false,
});

describe("parseCommand: commands", () => {
  it.each<{ name: string; body: string; expected: ParsedComment }>([
    { name: "deploy", body: "/deploy staging", expected: deploy("staging") },
    { name: "dotted env", body: "/deploy eu.prod-2", expected: deploy("eu.prod-2") },
    {
      name: "dry run",
      body: "/deploy staging --dry-run",
      expected: deploy("staging", { dryRun: true }),
    },
    {
      name: "flags before env",
      body: "/deploy --force staging",
      expected: deploy("staging", { force: true }),
    },
    {
      name: "both flags",
      body: "/deploy production --dry-run --force",
      expected: deploy("production", { dryRun: true, force: true }),
    },
    { name: "trailing spaces and tabs", body: "/deploy staging  \t ", expected: deploy("staging") },
    { name: "tabs between tokens", body: "/deploy\tstaging", expected: deploy("staging") },
    {
      name: "CRLF line endings",
      body: "hi\r\n/deploy staging\r\nthanks\r\n",
      expected: deploy("staging"),
    },
    { name: "old Mac CR", body: "hi\r/deploy staging\r", expected: deploy("staging") },
    { name: "up to 3 spaces of indent", body: "   /deploy staging", expected: deploy("staging") },
    { name: "later line", body: "Looks good.\n\n/deploy staging", expected: deploy("staging") },
    {
      name: "first command wins",
      body: "/deploy staging\n/deploy production",
      expected: deploy("staging"),
    },
    { name: "rollback", body: "/rollback staging", expected: { kind: "rollback", env: "staging" } },
    {
      name: "rollback to sha",
      body: "/rollback staging to abc1234",
      expected: { kind: "rollback", env: "staging", target: { kind: "sha", sha: "abc1234" } },
    },
    {
      name: "rollback to full sha",
      body: `/rollback production to ${"a1".repeat(20)}`,
      expected: {
        kind: "rollback",
        env: "production",
        target: { kind: "sha", sha: "a1".repeat(20) },
      },
    },
    {
      name: "rollback to deployment id",
      body: "/rollback staging to 1842",
      expected: { kind: "rollback", env: "staging", target: { kind: "deployment", id: 1842 } },
    },
    {
      name: "digits-only 40 chars is a sha",
      body: `/rollback staging to ${"1".repeat(40)}`,
      expected: { kind: "rollback", env: "staging", target: { kind: "sha", sha: "1".repeat(40) } },
    },
    { name: "lock", body: "/lock staging", expected: { kind: "lock", env: "staging" } },
    {
      name: "lock with reason",
      body: "/lock staging  QA until Friday  ",
      expected: { kind: "lock", env: "staging", reason: "QA until Friday" },
    },
    { name: "unlock", body: "/unlock production", expected: { kind: "unlock", env: "production" } },
    { name: "retest", body: "/retest", expected: { kind: "retest" } },
    { name: "ok-to-test", body: "/ok-to-test", expected: { kind: "ok-to-test" } },
    { name: "help", body: "/help", expected: { kind: "help" } },
    { name: "badge", body: "/badge", expected: { kind: "badge" } },
    {
      name: "after a closed fence",
      body: "```\n/deploy production\n```\n/deploy staging",
      expected: deploy("staging"),
    },
    {
      name: "after a closed tilde fence",
      body: "~~~sh\n/deploy production\n~~~\n/help",
      expected: { kind: "help" },
    },
    {
      name: "after a quote and a blank line",
      body: "> /deploy production\n\n/deploy staging",
      expected: deploy("staging"),
    },
    {
      name: "after a one-line HTML comment",
      body: "<!-- note -->\n/deploy staging",
      expected: deploy("staging"),
    },
    {
      name: "after a closed code span",
      body: "run `x`\n/deploy staging",
      expected: deploy("staging"),
    },
    {
      name: "escaped backtick opens nothing",
      body: "a \\` b\n/deploy staging\n` c",
      expected: deploy("staging"),
    },
  ])("$name", ({ body, expected }) => {
    const parsed = parseCommand(body, options);

    expect(parsed).toEqual(expected);
  });
});

describe("parseCommand: not a Pylot command", () => {
  it.each([
    { name: "plain text", body: "LGTM, ship it" },
    { name: "empty", body: "" },
    { name: "longer word", body: "/deployment staging" },
    { name: "prefix only", body: "/dep staging" },
    { name: "mid-line", body: "please /deploy staging" },
    { name: "mid-line after a word on a later line", body: "ok\nthen /deploy staging" },
    { name: "upper case", body: "/Deploy staging" },
    { name: "all caps", body: "/DEPLOY staging" },
    { name: "no slash", body: "deploy staging" },
    { name: "double slash", body: "//deploy staging" },
    { name: "punctuation glued to the name", body: "/deploy;rm -rf / staging" },
    { name: "comma glued to the name", body: "/deploy, staging" },
    { name: "block quote", body: "> /deploy staging" },
    { name: "nested quote", body: "> > /deploy staging" },
    { name: "indented quote", body: "  > /deploy staging" },
    { name: "lazy quote continuation", body: "> as you said\n/deploy staging" },
    { name: "fenced code", body: "```\n/deploy staging\n```" },
    { name: "fenced code with info", body: "```sh\n/deploy staging\n```" },
    { name: "tilde fence", body: "~~~\n/deploy staging\n~~~" },
    { name: "unclosed fence", body: "```\n/deploy staging" },
    { name: "longer fence not closed by shorter", body: "````\n```\n/deploy staging\n````" },
    { name: "fence inside a quote", body: "> ```\n> /deploy staging\n> ```" },
    { name: "indented code at start", body: "    /deploy staging" },
    { name: "indented code after a blank line", body: "Try:\n\n    /deploy staging" },
    { name: "tab-indented code", body: "\t/deploy staging" },
    { name: "paragraph continuation indented 4", body: "text\n    /deploy staging" },
    { name: "inline code", body: "`/deploy staging`" },
    { name: "inline code mid-line", body: "type `/deploy staging` to deploy" },
    { name: "code span across lines", body: "run `\n/deploy staging\n` later" },
    { name: "double-backtick span across lines", body: "run `` a\n/deploy staging\n`` later" },
    { name: "HTML comment block", body: "<!--\n/deploy staging\n-->" },
    { name: "HTML comment opened mid-line", body: "hidden <!-- start\n/deploy staging\n-->" },
    { name: "unclosed HTML comment", body: "<!--\n/deploy staging" },
    { name: "list item", body: "- /deploy staging" },
    { name: "heading", body: "# /deploy staging" },
    { name: "full-width slash", body: "／deploy staging" },
    { name: "Cyrillic е", body: "/d\u0435ploy staging" },
    { name: "Cyrillic о in rollback", body: "/r\u043ellback staging" },
    { name: "division slash", body: "\u2215deploy staging" },
    { name: "zero-width space before", body: "\u200B/deploy staging" },
    { name: "zero-width joiner inside", body: "/dep\u200Dloy staging" },
    { name: "NUL after the name", body: "/deploy\u0000 staging" },
    { name: "NBSP after the name", body: "/deploy\u00A0staging" },
    { name: "BOM before", body: "\uFEFF/deploy staging" },
    { name: "mention first", body: "@pylot /deploy staging" },
  ])("$name", ({ body }) => {
    const parsed = parseCommand(body, options);

    expect(parsed).toEqual(NONE);
  });
});
