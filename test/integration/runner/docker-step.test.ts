import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IMAGE_ID, IMAGE_REPORT } from "../../../src/runner/docker-step.js";
import { dockerInfo } from "../../../src/runner/docker-engine.js";
import { removeDir, request, runJob, tempDir } from "./harness.js";

/**
 * `build.docker` through the real executor. This machine has the docker client and no engine,
 * so the job fails saying so; on a host whose engine answers, the fixture's Dockerfile (FROM
 * scratch: nothing to pull) is built and its image id recorded.
 */

let engine = false;
beforeAll(async () => {
  engine = (await dockerInfo(process.env)).ok;
});

let workdir: string;
beforeEach(async () => {
  workdir = await tempDir();
});
afterEach(async () => {
  await removeDir(workdir);
});

function dockerJob(file = "Dockerfile") {
  return request({
    python: "3.11",
    project: "docker-app",
    key: "docker",
    steps: [{ kind: "docker", file, context: "." }],
  });
}

describe("a docker job", () => {
  it("on a runner without an engine fails, saying so, and records no image", async (context) => {
    if (engine) context.skip();

    const { result } = await runJob(workdir, dockerJob());

    expect(result.conclusion).toBe("failure");
    expect(result.summary).toMatch(
      /^this runner cannot build images: (docker info failed with exit \d+: no engine answers \(see the log\)|the docker command is not installed)\. Docker jobs need a runner labelled "docker" whose engine runs$/,
    );
    expect(result.steps.map((step) => [step.name, step.conclusion])).toEqual([
      ["venv", "success"],
      ["docker", "failure"],
    ]);
    expect(result.image).toBeUndefined();
  });

  it("on a runner with an engine builds the image and records its id", async (context) => {
    if (!engine) context.skip();

    const { result } = await runJob(workdir, dockerJob());

    expect(result.conclusion).toBe("success");
    expect(result.image?.id).toMatch(IMAGE_ID);
    expect(result.summary).toBe(`built image ${result.image?.id ?? ""}`);
    expect(result.reports[IMAGE_REPORT]).toBeDefined();
  });

  it("whose Dockerfile is not in the repository fails before asking for an engine", async () => {
    const { result } = await runJob(workdir, dockerJob("docker/Missing.Dockerfile"));

    expect(result.conclusion).toBe("failure");
    expect(result.summary).toBe(
      'build.docker.file "docker/Missing.Dockerfile" is not in the repository at this commit',
    );
  });
});
