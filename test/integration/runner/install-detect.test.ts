import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeDir, request, runJob, tempDir } from "./harness.js";

describe("install detection on the runner", () => {
  let workdir: string;

  beforeEach(async () => {
    workdir = await tempDir();
  });

  afterEach(async () => {
    await removeDir(workdir);
  });

  it("uses poetry for a poetry.lock project, and says how to get poetry when it is missing", async () => {
    const job = request({
      python: "3.11",
      project: "poetry-app",
      install: "detect",
      steps: [{ kind: "test", run: "python -m pytest", coverage: false }],
    });

    const { result } = await runJob(workdir, job, { executor: { systemPath: "/usr/bin:/bin" } });

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: "poetry is not installed on this runner: pipx install poetry",
      steps: [
        { name: "venv", conclusion: "success" },
        { name: "install: poetry install --no-interaction", conclusion: "failure", exitCode: 127 },
        { name: "test", conclusion: "skipped" },
      ],
    });
  });
});
