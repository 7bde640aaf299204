import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultInterpreter,
  discoverInterpreters,
  pickInterpreter,
} from "../../../src/runner/index.js";
import { removeDir, tempDir } from "./harness.js";

/**
 * Discovery on this host: Debian's /usr/bin/python3.11 on PATH, pyenv installs under
 * /root/.pyenv (3.9, 3.10, 3.12, 3.13), pyenv shims first on PATH.
 */
describe("discoverInterpreters", () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(async () => {
    await removeDir(scratch);
  });

  it("finds the real interpreters with their versions and paths", async () => {
    const found = await discoverInterpreters({ env: process.env });

    const byVersion = Object.fromEntries(found.map((python) => [python.version, python]));
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(byVersion["3.11"]).toMatchObject({
      path: "/usr/bin/python3.11",
      source: "PATH",
      full: "3.11.2",
    });
    expect(byVersion["3.12"]).toMatchObject({
      path: "/root/.pyenv/versions/3.12.1/bin/python",
      source: "pyenv",
      full: "3.12.1",
    });
    expect(found.map((python) => python.version)).toEqual(
      expect.arrayContaining(["3.9", "3.10", "3.11", "3.12", "3.13"]),
    );
    expect(new Set(found.map((python) => python.version)).size).toBe(found.length);
  });

  it("takes python3 on PATH as the default, past the pyenv shims", async () => {
    const found = await discoverInterpreters({ env: process.env });

    const chosen = defaultInterpreter(found);

    expect(chosen).toMatchObject({
      version: "3.11",
      path: "/usr/bin/python3.11",
      python3OnPath: true,
    });
  });

  it("lets PYLOT_PYTHONS win over PATH and pyenv", async () => {
    const pythons = "3.11=/root/.pyenv/versions/3.11.7/bin/python";

    const found = await discoverInterpreters({ pythons, env: process.env });

    expect(found.find((python) => python.version === "3.11")).toMatchObject({
      path: "/root/.pyenv/versions/3.11.7/bin/python",
      full: "3.11.7",
      source: "PYLOT_PYTHONS",
    });
  });

  it("skips a PYLOT_PYTHONS entry whose interpreter reports another version", async () => {
    const pythons = "3.9=/root/.pyenv/versions/3.12.1/bin/python";

    const found = await discoverInterpreters({ pythons, env: process.env });

    expect(found.find((python) => python.version === "3.9")?.source).toBe("pyenv");
    expect(found.find((python) => python.version === "3.12")).toMatchObject({
      path: "/root/.pyenv/versions/3.12.1/bin/python",
      source: "pyenv",
    });
    expect(found.filter((python) => python.source === "PYLOT_PYTHONS")).toEqual([]);
  });

  it("never uses pyenv shims, and skips candidates that do not run", async () => {
    const bin = join(scratch, "bin");
    await mkdir(bin);
    await writeFile(
      join(bin, "python3.14"),
      "#!/bin/sh\necho 'pyenv: python3.14: command not found' >&2\nexit 127\n",
      { mode: 0o755 },
    );
    await symlink("/nonexistent/python", join(bin, "python3.15"));
    const env = { PATH: `/root/.pyenv/shims:${bin}`, HOME: scratch };

    const found = await discoverInterpreters({ env });

    expect(found).toEqual([]);
  });

  it("finds pyenv and uv installs through PYENV_ROOT and the uv folder", async () => {
    const home = join(scratch, "home");
    await mkdir(join(home, ".local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin"), {
      recursive: true,
    });
    await symlink(
      "/root/.pyenv/versions/3.12.1/bin/python3.12",
      join(home, ".local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin/python3"),
    );
    const env = { PATH: "", HOME: home, PYENV_ROOT: "/root/.pyenv" };

    const found = await discoverInterpreters({ env });

    expect(found.find((python) => python.version === "3.10")?.source).toBe("pyenv");
    expect(found.find((python) => python.version === "3.12")?.source).toBe("pyenv");
    const uvOnly = await discoverInterpreters({
      env: { PATH: "", HOME: home, PYENV_ROOT: join(scratch, "none") },
    });
    expect(uvOnly).toEqual([
      {
        version: "3.12",
        full: "3.12.1",
        path: join(home, ".local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin/python3"),
        source: "uv",
      },
    ]);
  });

  it("names what is available when a version is missing", async () => {
    const found = await discoverInterpreters({ env: { PATH: "/usr/bin", HOME: scratch } });

    const choice = pickInterpreter(found, "3.9");

    expect(choice).toEqual({
      ok: false,
      message: "Python 3.9 is not available on this runner (available: 3.11)",
    });
  });
});
