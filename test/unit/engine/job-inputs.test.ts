import { describe, expect, it } from "vitest";
import type { JobRecord } from "../../../src/engine/ports.js";
import { deployInputs, jobInputs } from "../../../src/engine/results.js";
import type { Artifact } from "../../../src/pipeline/types.js";
import { job } from "../cli/views.js";

const wheel: Artifact = {
  name: "a-1.0-py3-none-any.whl",
  size: 10,
  sha256: "a".repeat(64),
  kind: "wheel",
};
const sdist: Artifact = { name: "a-1.0.tar.gz", size: 20, sha256: "b".repeat(64), kind: "sdist" };

function built(key: string, artifacts: Artifact[], reports: Record<string, string>): JobRecord {
  return job(key, { kind: "build", conclusion: "success", result: { artifacts, reports } });
}

function needing(needs: string[]): JobRecord {
  const record = job("integration-3.12", { kind: "integration" });
  return { ...record, spec: { ...record.spec, needs } };
}

describe("jobInputs", () => {
  const build = built("build", [sdist, wheel], {
    "dist/a-1.0-py3-none-any.whl": "/r/build/dist/a-1.0-py3-none-any.whl",
    "dist/a-1.0.tar.gz": "/r/build/dist/a-1.0.tar.gz",
    "job.log": "/r/build/job.log",
  });

  it("hands over the artifacts of the needed jobs with their paths", () => {
    const inputs = jobInputs(needing(["build"]), [build, needing(["build"])]);

    expect(inputs).toEqual({
      artifacts: [
        { ...sdist, path: "/r/build/dist/a-1.0.tar.gz", job: "build" },
        { ...wheel, path: "/r/build/dist/a-1.0-py3-none-any.whl", job: "build" },
      ],
    });
  });

  it.each([
    ["a job that needs nothing", needing([]), [build]],
    [
      "a needed job that built nothing",
      needing(["lint"]),
      [job("lint", { conclusion: "success", result: {} })],
    ],
    ["an artifact whose file was not kept", needing(["build"]), [built("build", [wheel], {})]],
  ])("gives nothing for %s", (_name, consumer, jobs) => {
    const inputs = jobInputs(consumer, jobs);

    expect(inputs).toBeUndefined();
  });
});

describe("deployInputs", () => {
  const deployJob = (artifacts?: Artifact[]) => {
    const record = job("deploy", { kind: "deploy" });
    const step = {
      kind: "deploy",
      run: "./deploy",
      environment: "staging",
      deploymentId: 7,
    } as const;
    return { ...record.spec, steps: [artifacts === undefined ? step : { ...step, artifacts }] };
  };
  const store = { pathOf: (sha256: string) => `/kept/${sha256.slice(0, 2)}/${sha256}` };

  it("hands a deploy job the kept copies of the files its step names", () => {
    const inputs = deployInputs(deployJob([sdist, wheel]), store);

    expect(inputs).toEqual({
      artifacts: [
        { ...sdist, path: `/kept/bb/${sdist.sha256}`, job: "build" },
        { ...wheel, path: `/kept/aa/${wheel.sha256}`, job: "build" },
      ],
    });
  });

  it.each([
    ["a deploy of a project that builds nothing", deployJob(), store],
    ["a deploy step naming no file", deployJob([]), store],
    ["an engine without an artifact store", deployJob([wheel]), undefined],
  ])("gives nothing for %s", (_name, spec, hook) => {
    expect(deployInputs(spec, hook)).toBeUndefined();
  });
});
