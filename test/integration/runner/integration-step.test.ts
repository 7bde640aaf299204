import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchRequest, JobInputs } from "../../../src/engine/ports.js";
import type { ServiceSpec } from "../../../src/pipeline/types.js";
import { processesUnder } from "../../helpers/processes.js";
import { removeDir, request, runJob, tempDir } from "./harness.js";

/** Runner-level tests of the integration step; the whole stage runs in cli/wheel-app.test.ts. */

let workdir: string;
let inputs: JobInputs;

function integrationJob(services: readonly ServiceSpec[], given?: JobInputs): DispatchRequest {
  const job = request({
    python: "3.11",
    project: "wheel-app",
    systemSitePackages: true,
    key: `integration-${Math.random().toString(36).slice(2)}`,
    steps: [
      { kind: "integration", run: "python -m pytest tests/integration -k version", services },
    ],
  });
  return given === undefined ? job : { ...job, inputs: given };
}

beforeAll(async () => {
  workdir = await tempDir("pylot-integration-");
  const build = request({
    python: "3.11",
    project: "wheel-app",
    systemSitePackages: true,
    key: "build",
    steps: [{ kind: "wheel" }],
  });
  const { result } = await runJob(workdir, build);
  inputs = {
    artifacts: (result.artifacts ?? []).map((artifact) => ({
      ...artifact,
      path: result.reports[`dist/${artifact.name}`] ?? "",
      job: "build",
    })),
  };
});

afterAll(async () => {
  await removeDir(workdir);
});

describe("the integration step", () => {
  it("installs the recorded wheel and stops its services when the job ends", async () => {
    const pidFile = join(workdir, "service.pid");
    const service: ServiceSpec = {
      name: "sleeper",
      start: `echo $$ > ${pidFile}; exec sleep 300`,
      ready: `test -s ${pidFile}`,
      timeoutSeconds: 20,
    };

    const { result } = await runJob(workdir, integrationJob([service], inputs));

    expect(result.conclusion).toBe("success");
    expect(result.summary).toMatch(/^wheel_app-1\.2\.3-py3-none-any\.whl: tests passed/);
    expect(result.reports["junit.xml"]).toBeDefined();
    expect(Number((await readFile(pidFile, "utf8")).trim())).toBeGreaterThan(0);
    expect(await processesUnder(workdir)).toEqual([]);
  });

  it("fails without a wheel from the build", async () => {
    const { result } = await runJob(workdir, integrationJob([]));

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: "no wheel to test: the build job recorded none",
    });
  });

  it("refuses a wheel whose hash is not the one recorded", async () => {
    const forged = {
      artifacts: inputs.artifacts.map((a) => ({ ...a, sha256: "0".repeat(64) })),
    };

    const { result } = await runJob(workdir, integrationJob([], forged));

    expect(result).toMatchObject({
      conclusion: "failure",
      summary:
        "the wheel wheel_app-1.2.3-py3-none-any.whl is not the one the build recorded (missing or changed)",
    });
  });

  it("fails, and the runner stays up, when the recorded wheel is gone", async () => {
    const gone = {
      artifacts: inputs.artifacts.map((a) => ({ ...a, path: join(workdir, "gone", a.name) })),
    };

    const { result } = await runJob(workdir, integrationJob([], gone));

    expect(result).toMatchObject({
      conclusion: "failure",
      summary:
        "the wheel wheel_app-1.2.3-py3-none-any.whl is not the one the build recorded (missing or changed)",
    });
  });

  it("fails clearly when a service never becomes ready", async () => {
    const service = { name: "db", start: "exec sleep 300", ready: "false", timeoutSeconds: 1 };

    const { result } = await runJob(workdir, integrationJob([service], inputs));

    expect(result).toMatchObject({
      conclusion: "failure",
      summary: "service db was not ready after 1s (ready: false)",
    });
  });
});
