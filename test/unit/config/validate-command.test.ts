import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateCommand } from "../../../src/cli/validate.js";

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "pylot-validate-"));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function put(name: string, text: string): Promise<void> {
  await mkdir(join(cwd, name, ".."), { recursive: true });
  await writeFile(join(cwd, name), text);
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

async function run(file: string | undefined): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await validateCommand({ file, cwd, out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

describe("validateCommand", () => {
  it("says the default file is valid and exits 0", async () => {
    await put(".github/pylot.yml", 'python: ["3.12"]\n');

    const result = await run(undefined);

    expect(result).toEqual({ code: 0, out: "✓ .github/pylot.yml is valid\n", err: "" });
  });

  it("falls back to .github/pylot.yaml when only that exists", async () => {
    await put(".github/pylot.yaml", "{}\n");

    const result = await run(undefined);

    expect(result).toEqual({ code: 0, out: "✓ .github/pylot.yaml is valid\n", err: "" });
  });

  it("prints file:line:column errors to err and exits 1", async () => {
    await put(".github/pylot.yml", 'pyhton: ["3.12"]\nsecurity:\n  bandit: { fail-on: hgh }\n');

    const result = await run(undefined);

    expect(result).toEqual({
      code: 1,
      out: "",
      err: [
        '.github/pylot.yml:1:1: unknown key "pyhton" (did you mean "python"?)',
        '.github/pylot.yml:3:22: "security.bandit.fail-on" is "hgh"; allowed: none, low, medium, high (did you mean "high"?)',
        "✗ .github/pylot.yml: 2 problems",
        "",
      ].join("\n"),
    });
  });

  it("validates a file given relative to cwd", async () => {
    await put("configs/try.yml", "python: [3.10]\n");

    const result = await run("configs/try.yml");

    expect(result).toEqual({
      code: 1,
      out: "",
      err: 'configs/try.yml:1:10: "python[0]" is 3.1 (a number); write versions as strings: "3.10"\n✗ configs/try.yml: 1 problem\n',
    });
  });

  it("shows a file outside cwd by its absolute path", async () => {
    const other = await mkdtemp(join(tmpdir(), "pylot-other-"));
    await writeFile(join(other, "pylot.yml"), "{}\n");

    const result = await run(join(other, "pylot.yml"));
    await rm(other, { recursive: true, force: true });

    expect(result).toEqual({ code: 0, out: `✓ ${join(other, "pylot.yml")} is valid\n`, err: "" });
  });

  it("exits 2 when the default file is missing, and says what that means", async () => {
    const result = await run(undefined);

    expect(result).toEqual({
      code: 2,
      out: "",
      err: "✗ .github/pylot.yml: no such file (without one, Pylot uses its defaults for Python projects)\n",
    });
  });

  it("exits 2 when a named file is missing", async () => {
    const result = await run("nope.yml");

    expect(result).toEqual({ code: 2, out: "", err: "✗ nope.yml: no such file\n" });
  });

  it("exits 2 when the file is a directory", async () => {
    await mkdir(join(cwd, "dir.yml"));

    const result = await run("dir.yml");

    expect(result).toEqual({
      code: 2,
      out: "",
      err: "✗ dir.yml: cannot read the file: it is a directory\n",
    });
  });

  it("exits 1 for an oversized file", async () => {
    await put("big.yml", `# ${"x".repeat(300 * 1024)}\n`);

    const result = await run("big.yml");

    expect(result).toEqual({
      code: 1,
      out: "",
      err: "big.yml:1:1: the file is 301 KiB; Pylot reads config files up to 256 KiB\n✗ big.yml: 1 problem\n",
    });
  });
});
