import type { PylotConfig } from "../config/schema.js";
import { expandMatrix, findLeg, legKey, legLabel } from "./matrix.js";
import type { JobSpec, Leg, Pipeline, Step } from "./types.js";

export interface PlanOptions {
  /** The version of the runner's default interpreter, used when the config names none. */
  readonly defaultPython: string;
}

type JobBase = Pick<JobSpec, "install" | "systemSitePackages" | "timeoutMs">;

function lintSteps(lint: PylotConfig["lint"]): Step[] {
  const steps: Step[] = [];
  if (lint.flake8 !== false) steps.push({ kind: "flake8", args: lint.flake8.args });
  if (lint.black !== false) steps.push({ kind: "black", args: lint.black.args });
  if (lint.pylint !== false) steps.push({ kind: "pylint", args: lint.pylint.args });
  return steps;
}

function singleJob(base: JobBase, leg: Leg, job: Pick<JobSpec, "key" | "kind" | "steps">): JobSpec {
  return { ...base, ...job, name: job.key, leg, needs: [], matrix: false };
}

function onceJobs(config: PylotConfig, base: JobBase, leg: Leg): JobSpec[] {
  const jobs: JobSpec[] = [];
  const lint = lintSteps(config.lint);
  if (lint.length > 0) jobs.push(singleJob(base, leg, { key: "lint", kind: "lint", steps: lint }));
  const { mypy } = config.typecheck;
  if (mypy !== false) {
    const steps: Step[] = [{ kind: "mypy", paths: mypy.paths, args: mypy.args }];
    jobs.push(singleJob(base, leg, { key: "typecheck", kind: "typecheck", steps }));
  }
  const { bandit } = config.security;
  if (bandit !== false) {
    const step: Step = {
      kind: "bandit",
      paths: bandit.paths,
      failOn: bandit["fail-on"],
      confidence: bandit.confidence,
      args: bandit.args,
    };
    jobs.push(singleJob(base, leg, { key: "security", kind: "security", steps: [step] }));
  }
  return jobs;
}

function coverageLeg(
  config: PylotConfig,
  legs: readonly Leg[],
  warnings: string[],
): Leg | undefined {
  const { coverage } = config.test;
  if (coverage === false) return undefined;
  if (coverage.on === undefined) return legs[0];
  const found = findLeg(legs, coverage.on);
  if (found !== undefined) return found;
  const wanted = Object.entries(coverage.on)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
  warnings.push(
    `test.coverage.on (${wanted}) matches no leg; coverage is measured on the first leg`,
  );
  return legs[0];
}

/**
 * One job per interpreter after the build. `install: []`: the venv gets the built wheel only,
 * never the source tree, so the tests see what users would install.
 */
function integrationJobs(config: PylotConfig, base: JobBase, first: Leg): JobSpec[] {
  const stage = config.integration;
  if (stage === undefined) return [];
  const pythons = stage.python ?? config.python ?? [first.python];
  const services = stage.services.map((service) => ({
    name: service.name,
    start: service.start,
    ready: service.ready,
    timeoutSeconds: service["timeout-seconds"],
  }));
  return [...new Set(pythons)].map((python): JobSpec => ({
    ...base,
    install: [],
    key: `integration-${python}`,
    name: `integration (${python})`,
    kind: "integration",
    leg: { python, os: first.os, extra: {} },
    needs: ["build"],
    matrix: false,
    steps: [{ kind: "integration", run: stage.run, services }],
  }));
}

/** The runner label of hosts with a Docker engine: `docker` jobs go only to them. */
export const DOCKER_LABEL = "docker";

/**
 * `build.docker`: one job for runners labelled `docker` (its leg's `os` is the label jobs are
 * routed by), installing nothing: the Dockerfile says what the image holds.
 */
function dockerJob(config: PylotConfig, base: JobBase, first: Leg): JobSpec | undefined {
  const docker = config.build.docker;
  if (docker === undefined) return undefined;
  const leg = { python: first.python, os: DOCKER_LABEL, extra: {} };
  const steps: Step[] = [{ kind: "docker", file: docker.file, context: docker.context }];
  return { ...singleJob(base, leg, { key: "docker", kind: "build", steps }), install: [] };
}

/**
 * Turns a validated config into the jobs of one pipeline. Pure: the same config and options
 * always give the same plan, so a plan can be recomputed, compared and tested as data.
 */
export function plan(config: PylotConfig, options: PlanOptions): Pipeline {
  const warnings: string[] = [];
  const legs = expandMatrix({
    python: config.python ?? [options.defaultPython],
    os: config.os,
    include: config.matrix.include,
    exclude: config.matrix.exclude,
  });
  const first = legs[0] ?? {
    python: options.defaultPython,
    os: config.os[0] ?? "linux",
    extra: {},
  };
  const base: JobBase = {
    ...(config.install === undefined ? {} : { install: config.install }),
    systemSitePackages: config.venv["system-site-packages"],
    timeoutMs: Math.round(config["timeout-minutes"] * 60_000),
  };
  const measured = coverageLeg(config, legs, warnings);
  const tests = legs.map((leg): JobSpec => ({
    ...base,
    key: legKey(leg),
    name: `test (${legLabel(leg)})`,
    kind: "test",
    leg,
    needs: [],
    matrix: true,
    steps: [{ kind: "test", run: config.test.run, coverage: leg === measured }],
  }));
  const jobs = [...onceJobs(config, base, first), ...tests];
  const { coverage } = config.test;
  const maxParallel = config.matrix["max-parallel"];
  if (coverage !== false && measured !== undefined) {
    jobs.push({
      ...singleJob(base, measured, { key: "coverage", kind: "coverage", steps: [] }),
      needs: [legKey(measured)],
      evaluate: {
        kind: "coverage-gate",
        ...(coverage.minimum === undefined ? {} : { minimum: coverage.minimum }),
      },
    });
  }
  if (config.build.wheel) {
    jobs.push(singleJob(base, first, { key: "build", kind: "build", steps: [{ kind: "wheel" }] }));
    jobs.push(...integrationJobs(config, base, first));
  }
  const docker = dockerJob(config, base, first);
  if (docker !== undefined) jobs.push(docker);
  return {
    jobs,
    failFast: config.matrix["fail-fast"],
    ...(maxParallel === undefined ? {} : { maxParallel }),
    warnings,
  };
}
