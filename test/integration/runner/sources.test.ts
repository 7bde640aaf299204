import { execFile } from "node:child_process";
import { copyFile, cp, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GithubSource } from "../../../src/runner/index.js";
import { fixture, leftoverJobs, removeDir, request, runJob, tempDir } from "./harness.js";

const tar = promisify(execFile);
const UNITTEST = {
  kind: "test",
  run: "python -m unittest discover -s tests",
  coverage: false,
} as const;
const GITHUB: GithubSource = {
  kind: "github",
  repo: "octo/okcalc",
  sha: "0123456789abcdef",
  installationId: 7,
};

describe("job sources", () => {
  let workdir: string;
  let scratch: string;

  beforeEach(async () => {
    workdir = await tempDir();
    scratch = await tempDir();
  });
  afterEach(async () => {
    await Promise.all([removeDir(workdir), removeDir(scratch)]);
  });

  /** A tarball shaped like GitHub's: one top folder named after the repository and commit. */
  async function githubTarball(): Promise<string> {
    const path = join(scratch, "okcalc.tar.gz");
    await tar("tar", [
      "-czf",
      path,
      "-C",
      join(fixture("ok"), ".."),
      "--transform",
      "s,^ok,octo-okcalc-0123456,",
      "ok",
    ]);
    return path;
  }

  it("copies a folder, leaving out VCS, caches, venvs and links out of the tree", async () => {
    const project = join(scratch, "project");
    await cp(fixture("ok"), project, { recursive: true });
    for (const dir of [
      ".git",
      "node_modules",
      "venv",
      ".venv",
      "__pycache__",
      ".tox",
      ".mypy_cache",
    ]) {
      await mkdir(join(project, dir));
      await writeFile(join(project, dir, "bad.py"), "import os\n");
    }
    await symlink("/etc/hostname", join(project, "outside"));
    await symlink("okcalc/__init__.py", join(project, "inside.py"));
    const check = [
      "for name in .git node_modules venv .venv __pycache__ .tox .mypy_cache outside; do",
      '  if [ -e "$name" ] || [ -L "$name" ]; then echo "copied $name"; exit 1; fi',
      "done",
      "test -L inside.py && grep -q 'def add' inside.py",
    ].join("\n");
    const job = request({
      python: "3.12",
      source: { kind: "dir", path: project },
      steps: [
        { kind: "test", run: check, coverage: false },
        { kind: "flake8", args: [] },
      ],
    });

    const { result } = await runJob(workdir, job);

    expect(result.conclusion).toBe("success");
    expect(result.summary).toContain("flake8 found no problems");
    expect(result.logTail).toContain("(1 link out of the tree skipped)");
  });

  it("fails clearly when the source folder does not exist", async () => {
    const job = request({
      python: "3.12",
      source: { kind: "dir", path: join(scratch, "missing") },
      steps: [UNITTEST],
    });

    const { result, starts } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: `source folder ${join(scratch, "missing")} does not exist`,
      steps: [{ name: "test", conclusion: "skipped" }],
    });
    expect(starts).toBe(0);
    expect(await leftoverJobs(workdir)).toEqual([]);
  });

  it("extracts a GitHub-style tarball without its top folder", async () => {
    const job = request({
      python: "3.12",
      source: { kind: "tarball", path: await githubTarball() },
      steps: [UNITTEST],
    });

    const { result } = await runJob(workdir, job);

    expect(result).toMatchObject({
      conclusion: "success",
      steps: [{ name: "venv" }, { name: "test", conclusion: "success" }],
    });
  });

  it.each([
    {
      name: "an absolute member",
      member: (dir: string) => join(dir, "evil.txt"),
      unsafe: /unsafe member: \/.*evil\.txt$/,
    },
    {
      name: "a member with ..",
      member: () => "../evil.txt",
      unsafe: /unsafe member: \.\.\/evil\.txt$/,
    },
  ])("refuses a tarball with $name", async ({ member, unsafe }) => {
    const inner = join(scratch, "inner");
    await mkdir(inner);
    await writeFile(join(scratch, "evil.txt"), "owned\n");
    const tarball = join(scratch, "evil.tar");
    await tar("tar", ["-cPf", tarball, member(scratch)], { cwd: inner });
    const job = request({
      python: "3.12",
      source: { kind: "tarball", path: tarball },
      steps: [UNITTEST],
    });

    const { result } = await runJob(workdir, job);

    expect(result.conclusion).toBe("failure");
    expect(result.summary).toMatch(unsafe);
    expect(await leftoverJobs(workdir)).toEqual([]);
  });

  it("fetches a GitHub source through fetchSource", async () => {
    const tarball = await githubTarball();
    const fetched: GithubSource[] = [];
    const fetchSource = async (ref: GithubSource, dest: string) => {
      fetched.push(ref);
      await copyFile(tarball, dest);
    };
    const job = request({ python: "3.12", source: GITHUB, steps: [UNITTEST] });

    const { result } = await runJob(workdir, job, { executor: { fetchSource } });

    expect(result.conclusion).toBe("success");
    expect(fetched).toEqual([GITHUB]);
  });

  it("masks secrets in the summary too", async () => {
    const fetchSource = () => Promise.reject(new Error("bad credentials for ghs_secretToken42"));
    const job = request({
      python: "3.12",
      source: GITHUB,
      secrets: { TOKEN: "ghs_secretToken42" },
      steps: [UNITTEST],
    });

    const { result } = await runJob(workdir, job, { executor: { fetchSource } });

    expect(result.summary).toBe(
      "could not fetch octo/okcalc@0123456789ab: bad credentials for ***",
    );
    expect(result.logTail).not.toContain("ghs_secretToken42");
  });

  it.each([
    {
      name: "no fetchSource",
      fetchSource: undefined,
      summary: "this runner cannot fetch GitHub sources (octo/okcalc@0123456789ab)",
    },
    {
      name: "a failing fetchSource",
      fetchSource: () => Promise.reject(new Error("HTTP 404")),
      summary: "could not fetch octo/okcalc@0123456789ab: HTTP 404",
    },
  ])("fails clearly with $name", async ({ fetchSource, summary }) => {
    const job = request({ python: "3.12", source: GITHUB, steps: [UNITTEST] });

    const { result } = await runJob(
      workdir,
      job,
      fetchSource === undefined ? {} : { executor: { fetchSource } },
    );

    expect(result).toMatchObject({ conclusion: "failure", summary });
  });
});
