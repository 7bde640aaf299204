import { describe, expect, it } from "vitest";
import { PylotConfigSchema } from "../../../src/config/schema.js";
import { plan } from "../../../src/pipeline/index.js";
import { usableLabels } from "../../../src/runner/docker-engine.js";
import { dockerVars, noEngineMessage, planDockerBuild } from "../../../src/runner/docker-step.js";
import { silentLogger } from "../../helpers/engine.js";

const SRC = "/w/jobs/1/src";
const REPORTS = "/w/reports/p/docker";

describe("planDockerBuild", () => {
  it.each([
    ["Dockerfile", ".", `${SRC}/Dockerfile`, SRC],
    [
      "docker/app.Dockerfile",
      "services/app",
      `${SRC}/docker/app.Dockerfile`,
      `${SRC}/services/app`,
    ],
    ["./Dockerfile", "./", `${SRC}/Dockerfile`, SRC],
  ])("file %j, context %j: an argument vector inside the source", (file, context, f, c) => {
    const planned = planDockerBuild({ src: SRC, reports: REPORTS, file, context });

    expect(planned).toEqual({
      ok: true,
      argv: ["docker", "build", "--iidfile", `${REPORTS}/image.iid`, "--file", f, c],
      iidfile: `${REPORTS}/image.iid`,
    });
  });

  it.each([
    ["../Dockerfile", ".", 'build.docker.file "../Dockerfile" is not a file of the repository'],
    ["/etc/Dockerfile", ".", 'build.docker.file "/etc/Dockerfile" is not a file of the repository'],
    [".", ".", 'build.docker.file "." is not a file of the repository'],
    [
      "Dockerfile",
      "a/../../..",
      'build.docker.context "a/../../.." is not a folder of the repository',
    ],
  ])("file %j, context %j: refused", (file, context, message) => {
    expect(planDockerBuild({ src: SRC, reports: REPORTS, file, context })).toEqual({
      ok: false,
      message,
    });
  });
});

describe("the engine check", () => {
  it.each([
    [
      { kind: "exited", code: 1 } as const,
      "docker info failed with exit 1: no engine answers (see the log)",
    ],
    [
      { kind: "not-started", message: "spawn docker ENOENT" } as const,
      "the docker command is not installed",
    ],
    [{ kind: "signalled", signal: "SIGKILL" } as const, "docker info was killed by SIGKILL"],
  ])("%j explains itself", (outcome, why) => {
    expect(noEngineMessage(outcome)).toBe(
      `this runner cannot build images: ${why}. Docker jobs need a runner labelled "docker" whose engine runs`,
    );
  });

  it("passes the runner's own Docker settings to the job, and nothing else", () => {
    const vars = dockerVars({
      DOCKER_HOST: "unix:///run/user/1000/docker.sock",
      DOCKER_CONTEXT: "",
      PYLOT_REDIS_URL: "redis://secret@host",
    });

    expect(vars).toEqual({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" });
  });

  it.each([
    [["linux", "docker"], { ok: true } as const, ["linux", "docker"], 1],
    [["linux", "docker"], { ok: false, reason: "Cannot connect" } as const, ["linux"], 1],
    [["linux", "gpu"], { ok: false, reason: "never asked" } as const, ["linux", "gpu"], 0],
  ])("labels %j with docker info %j: advertises %j", async (labels, check, usable, asked) => {
    let probes = 0;
    const probe = () => {
      probes += 1;
      return Promise.resolve(check);
    };

    const advertised = await usableLabels(labels, { probe, logger: silentLogger });

    expect(advertised).toEqual(usable);
    expect(probes).toBe(asked);
  });
});

describe("build.docker in the config", () => {
  it("plans one docker job for runners labelled docker, installing nothing", () => {
    const config = PylotConfigSchema.parse({ build: { docker: {} }, test: { coverage: false } });

    const planned = plan(config, { defaultPython: "3.12" });

    expect(planned.jobs.find((job) => job.key === "docker")).toMatchObject({
      name: "docker",
      kind: "build",
      leg: { python: "3.12", os: "docker" },
      needs: [],
      install: [],
      steps: [{ kind: "docker", file: "Dockerfile", context: "." }],
    });
  });

  it.each(["../Dockerfile", "/etc/Dockerfile", "a/../../b"])("refuses file %j", (file) => {
    const parsed = PylotConfigSchema.safeParse({ build: { docker: { file } } });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      "a path inside the repository (relative, without ..)",
    );
  });
});
