import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfigText, type ConfigError } from "../../../src/config/index.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), "utf8");

function errorsOf(text: string): ConfigError[] {
  const result = parseConfigText(text);
  if (result.ok) throw new Error("expected the file to be refused");
  return result.errors;
}

describe("parseConfigText: hostile input", () => {
  it("refuses a billion-laughs alias bomb at its first alias", () => {
    const errors = errorsOf(fixture("evil-alias-bomb.yml"));

    expect(errors).toEqual([
      {
        file: ".github/pylot.yml",
        line: 3,
        column: 8,
        key: "(root)",
        message:
          "the YAML aliases expand too much (over 100 uses); Pylot refuses files that could exhaust memory",
      },
    ]);
  });

  it("refuses a file over 256 KiB without parsing it", () => {
    const text = `python: ["3.12"]\n# ${"x".repeat(300 * 1024)}\n`;

    const errors = errorsOf(text);

    expect(errors).toEqual([
      {
        file: ".github/pylot.yml",
        line: 1,
        column: 1,
        key: "(root)",
        message: "the file is 301 KiB; Pylot reads config files up to 256 KiB",
      },
    ]);
  });

  it("measures the limit in bytes, not characters", () => {
    const text = `# ${"é".repeat(140 * 1024)}\n`;

    const errors = errorsOf(text);

    expect(errors.map((e) => e.message)).toEqual([
      "the file is 281 KiB; Pylot reads config files up to 256 KiB",
    ]);
  });

  it.each([
    { name: "flow sequences", text: `${"[".repeat(100_000)}${"]".repeat(100_000)}` },
    {
      name: "flow mappings under a key",
      text: `lint: ${"{a: ".repeat(40_000)}1${"}".repeat(40_000)}`,
    },
    { name: "a sequence under python", text: `python: ${"[".repeat(5_000)}${"]".repeat(5_000)}` },
  ])("refuses deeply nested $name with an error, not a crash", ({ text }) => {
    const errors = errorsOf(text);

    expect(errors.map((e) => e.message)).toEqual(["the YAML is nested too deeply to read"]);
  });

  it("refuses deeply nested block mappings as unknown keys", () => {
    const text = Array.from({ length: 600 }, (_, depth) => `${" ".repeat(depth)}a:`).join("\n");

    const errors = errorsOf(text);

    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [
        1,
        'unknown key "a"; allowed: python, os, venv, matrix, timeout-minutes, install, lint, typecheck, security, test, build, integration, deploy',
      ],
    ]);
  });

  it("caps a flood of unknown keys at 50 errors and counts the rest", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join("\n");

    const errors = errorsOf(text);

    expect(errors).toHaveLength(51);
    expect(errors[0]).toMatchObject({ line: 1, column: 1, key: "k0" });
    expect(errors[50]).toMatchObject({ message: "19950 more problems not shown; fix these first" });
  });

  it("caps a flood of duplicate keys", () => {
    const text = Array.from({ length: 5_000 }, () => "python: []").join("\n");

    const errors = errorsOf(text);

    expect(errors).toHaveLength(51);
    expect(errors[0]).toMatchObject({ line: 2, column: 1, key: "python" });
    expect(errors[50]?.message).toBe("4949 more problems not shown; fix these first");
  });

  it.each([
    {
      name: "binary junk",
      text: Buffer.from(Array.from({ length: 2_000 }, (_, i) => (i * 7919) % 256)).toString(
        "latin1",
      ),
    },
    { name: "a NUL byte", text: 'python: ["3.12"]\u0000\n' },
    { name: "a 100 000 character key", text: `${"k".repeat(100_000)}: 1\n` },
    { name: "a self-referencing alias", text: "lint: &l { flake8: *l }\n" },
    { name: "an unknown tag", text: "python: !!python/object:os.system [rm]\n" },
    { name: "binary data", text: "python: !!binary aGVsbG8=\n" },
    { name: "a complex key", text: "? [a, b]\n: c\n" },
  ])("reports $name as errors without throwing", ({ text }) => {
    const result = parseConfigText(text);

    expect(result.ok).toBe(false);
  });

  it("escapes control characters from the file in messages", () => {
    const errors = errorsOf("\u001b[31mred: 1\n");

    expect(errors[0]?.message).toMatch(/^unknown key "\\u001b\[31mred"; allowed: /);
  });

  it("ignores a byte order mark", () => {
    const result = parseConfigText('\uFEFFpython: ["3.12"]\n');

    expect(result).toMatchObject({ ok: true, config: { python: ["3.12"] } });
  });

  it("does not let __proto__ reach the prototype of the parsed config", () => {
    const result = parseConfigText("matrix:\n  include: [{ __proto__: { polluted: yes } }]\n");

    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("reports a cycle through 1000 environments in one bounded message", () => {
    const envs = Array.from(
      { length: 1000 },
      (_, i) => `  e${i}: { run: x, requires: [e${(i + 1) % 1000}] }`,
    );

    const errors = errorsOf(`deploy:\n${envs.join("\n")}\n`);

    expect(errors.map((e) => [e.line, e.key, e.message])).toEqual([
      [
        1001,
        "deploy.e999.requires[0]",
        '"deploy.e999.requires[0]" is "e0", which closes a cycle: e0 → e1 → e2 → … → e0 (1000 environments); none of them could ever deploy',
      ],
    ]);
  });

  it("lists at most ten environment names when a requirement names none of them", () => {
    const envs = Array.from({ length: 30 }, (_, i) => `  env${i}: { run: x }`);

    const errors = errorsOf(`deploy:\n${envs.join("\n")}\n  last: { run: x, requires: [zzz] }\n`);

    expect(errors.map((e) => e.message)).toEqual([
      '"deploy.last.requires[0]" is "zzz", which is not an environment under "deploy"; environments: env0, env1, env2, env3, env4, env5, env6, env7, env8, env9, and 21 more',
    ]);
  });
});
