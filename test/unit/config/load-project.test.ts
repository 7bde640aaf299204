import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  PylotConfigSchema,
  ProjectDirError,
  loadConfigFile,
  loadProjectConfig,
} from "../../../src/config/index.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylot-config-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, text: string): Promise<void> {
  await mkdir(join(dir, name, ".."), { recursive: true });
  await writeFile(join(dir, name), text);
}

describe("loadProjectConfig", () => {
  it("reads .github/pylot.yml", async () => {
    await put(".github/pylot.yml", 'python: ["3.12"]\n');

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toEqual({
      kind: "ok",
      config: { ...PylotConfigSchema.parse({}), python: ["3.12"] },
      file: join(dir, ".github/pylot.yml"),
    });
  });

  it("reads .github/pylot.yaml when that is the one present", async () => {
    await put(".github/pylot.yaml", "build: { wheel: true }\n");

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toMatchObject({
      kind: "ok",
      config: { build: { wheel: true } },
      file: join(dir, ".github/pylot.yaml"),
    });
  });

  it("refuses both spellings at once", async () => {
    await put(".github/pylot.yml", "{}\n");
    await put(".github/pylot.yaml", "{}\n");

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toEqual({
      kind: "invalid",
      errors: [
        {
          file: join(dir, ".github/pylot.yaml"),
          line: 1,
          column: 1,
          key: "(root)",
          message:
            "both .github/pylot.yml and .github/pylot.yaml exist; keep .github/pylot.yml, the one the GitHub App reads",
        },
      ],
    });
  });

  it("reports an invalid file with positions and the file's path", async () => {
    await put(".github/pylot.yml", "lint:\n  flake9: {}\n");

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toEqual({
      kind: "invalid",
      errors: [
        {
          file: join(dir, ".github/pylot.yml"),
          line: 2,
          column: 3,
          key: "lint.flake9",
          message: 'unknown key "flake9" in "lint" (did you mean "flake8"?)',
        },
      ],
    });
  });

  it.each(["pyproject.toml", "setup.py", "setup.cfg", "requirements-dev.txt"])(
    "uses the defaults without a file when %s is present",
    async (marker) => {
      await put(marker, "");

      const loaded = await loadProjectConfig(dir);

      expect(loaded).toEqual({ kind: "ok", config: PylotConfigSchema.parse({}), file: undefined });
    },
  );

  it("leaves a directory with neither config nor markers alone", async () => {
    await put("README.md", "# not python\n");
    await mkdir(join(dir, "pyproject.toml"));

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toEqual({
      kind: "not-python",
      message: `"${dir}" is not a Python project: no .github/pylot.yml, pyproject.toml, setup.py, setup.cfg or requirements*.txt`,
    });
  });

  it("refuses an oversized config without reading it", async () => {
    await put(".github/pylot.yml", `# ${"x".repeat(300 * 1024)}\n`);

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toMatchObject({
      kind: "invalid",
      errors: [
        {
          line: 1,
          column: 1,
          message: "the file is 301 KiB; Pylot reads config files up to 256 KiB",
        },
      ],
    });
  });

  it("reports a config path that is a directory", async () => {
    await mkdir(join(dir, ".github/pylot.yml"), { recursive: true });

    const loaded = await loadProjectConfig(dir);

    expect(loaded).toMatchObject({
      kind: "invalid",
      errors: [
        {
          file: join(dir, ".github/pylot.yml"),
          message: "cannot read the file: it is a directory",
        },
      ],
    });
  });

  it.each([
    {
      name: "missing",
      path: () => join(dir, "nope"),
      reason: "missing",
      message: "does not exist",
    },
    {
      name: "a file",
      path: () => join(dir, "file.txt"),
      reason: "not-a-directory",
      message: "is not a directory",
    },
  ])("throws ProjectDirError when the directory is $name", async ({ path, reason, message }) => {
    await put("file.txt", "");
    const target = path();

    const attempt = loadProjectConfig(target);

    await expect(attempt).rejects.toBeInstanceOf(ProjectDirError);
    await expect(attempt).rejects.toMatchObject({
      reason,
      dir: target,
      message: `"${target}" ${message}`,
    });
  });
});

describe("loadConfigFile", () => {
  it("names the file in errors as the caller asks", async () => {
    await put("custom.yml", "os: linux\n");

    const loaded = await loadConfigFile(join(dir, "custom.yml"), "custom.yml");

    expect(loaded).toMatchObject({
      kind: "invalid",
      errors: [{ file: "custom.yml", line: 1, column: 5 }],
    });
  });

  it("reports a missing file as missing", async () => {
    const loaded = await loadConfigFile(join(dir, "absent.yml"));

    expect(loaded).toEqual({ kind: "missing" });
  });

  it("refuses a FIFO instead of waiting on it", async () => {
    execFileSync("mkfifo", [join(dir, "pipe.yml")]);

    const loaded = await loadConfigFile(join(dir, "pipe.yml"));

    expect(loaded).toEqual({ kind: "unreadable", reason: "it is not a regular file" });
  });
});
