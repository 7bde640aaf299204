import { describe, expect, it } from "vitest";
import type { PylotConfig } from "../../../src/config/schema.js";
import { buildEvidence, type BuildEvidenceInput } from "../../../src/deploy/build-evidence.js";
import type { ArtifactRecord, JobRecord } from "../../../src/engine/ports.js";
import type { Artifact, Step } from "../../../src/pipeline/types.js";
import { job, type JobOptions } from "../cli/views.js";

const wheel: Artifact = {
  name: "app-1.0-py3-none-any.whl",
  kind: "wheel",
  size: 1200,
  sha256: "1".repeat(64),
};
const sdist: Artifact = {
  name: "app-1.0.tar.gz",
  kind: "sdist",
  size: 900,
  sha256: "2".repeat(64),
};
const IMAGE = `sha256:${"3".repeat(64)}`;

const WHEEL: PylotConfig["build"] = { wheel: true };
const DOCKER: PylotConfig["build"] = { wheel: false, docker: { file: "Dockerfile", context: "." } };
const BOTH: PylotConfig["build"] = { ...DOCKER, wheel: true };

function withStep(key: string, step: Step, options: JobOptions): JobRecord {
  const record = job(key, { kind: "build", ...options });
  return { ...record, spec: { ...record.spec, steps: [step] } };
}

const build = (options: JobOptions) => withStep("build", { kind: "wheel" }, options);
const docker = (options: JobOptions) =>
  withStep("docker", { kind: "docker", file: "Dockerfile", context: "." }, options);
const built = build({ conclusion: "success", result: { artifacts: [sdist, wheel] } });
const imaged = docker({ conclusion: "success", result: { image: { id: IMAGE } } });

function row(artifact: Artifact, jobId = built.id): ArtifactRecord {
  return {
    ...artifact,
    repo: "o/r",
    sha: "c".repeat(40),
    job: jobId,
    createdAt: "2024-05-01T10:00:00.000Z",
    expiresAt: "2024-05-31T10:00:00.000Z",
  };
}

function evidence(input: Partial<BuildEvidenceInput>) {
  return buildEvidence({ build: WHEEL, jobs: [built], rows: [], retentionDays: 30, ...input });
}

describe("buildEvidence", () => {
  it("needs nothing from a project that builds nothing", () => {
    expect(evidence({ build: { wheel: false }, jobs: undefined })).toEqual({
      kind: "not-required",
    });
  });

  it("gives the build job's kept files, by content", () => {
    const found = evidence({ rows: [row(sdist), row(wheel)] });

    expect(found).toEqual({ kind: "built", artifacts: [sdist, wheel] });
  });

  it("gives the docker job's image, with the files when both are built", () => {
    expect(evidence({ build: DOCKER, jobs: [imaged] })).toEqual({
      kind: "built",
      artifacts: [],
      image: IMAGE,
    });
    expect(evidence({ build: BOTH, jobs: [built, imaged], rows: [row(wheel)] })).toEqual({
      kind: "built",
      artifacts: [wheel],
      image: IMAGE,
    });
  });

  it.each<{ name: string; input: Partial<BuildEvidenceInput>; why: string }>([
    { name: "no pipeline", input: { jobs: undefined }, why: "no pipeline ran on it" },
    {
      name: "a pipeline of a config that did not build",
      input: { jobs: [job("lint", { conclusion: "success" })] },
      why: "its pipeline has no build job",
    },
    {
      name: "a failed build, even with files kept",
      input: {
        jobs: [build({ conclusion: "failure", result: { artifacts: [wheel] } })],
        rows: [row(wheel)],
      },
      why: "its build job ended failure",
    },
    {
      name: "a build still running",
      input: { jobs: [build({ state: "in_progress" })] },
      why: "its build job has not finished",
    },
    {
      name: "files of another pipeline's build only",
      input: {
        rows: [row(wheel, "p0:build")],
        jobs: [build({ conclusion: "success", result: {} })],
      },
      why: "its build kept no files",
    },
    {
      name: "a docker job that recorded no image",
      input: { build: DOCKER, jobs: [docker({ conclusion: "success", result: {} })] },
      why: "its docker job recorded no image",
    },
    {
      name: "a failed docker job, the wheel built",
      input: {
        build: BOTH,
        jobs: [built, docker({ conclusion: "failure", result: {} })],
        rows: [row(wheel)],
      },
      why: "its docker job ended failure",
    },
  ])("refuses $name", ({ input, why }) => {
    expect(evidence(input)).toEqual({ kind: "no-build", why });
  });

  it("tells expired files from files never built", () => {
    const found = evidence({ rows: [], retentionDays: 7 });

    expect(found).toEqual({ kind: "expired", retentionDays: 7 });
  });
});
