import type { Decision } from "../pipeline/state.js";
import type { Conclusion, JobResult, JobSpec } from "../pipeline/types.js";
import type { ArtifactHook, JobInputs, JobRecord, PipelineView } from "./ports.js";

/** The result of a job that ended without a runner: skipped, cancelled, or a gate. */
export function syntheticResult(
  job: JobRecord,
  conclusion: Conclusion,
  summary: string,
  now: string,
): JobResult {
  return {
    jobId: job.id,
    attempt: job.attempt,
    conclusion,
    summary,
    startedAt: job.startedAt ?? now,
    finishedAt: now,
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
  };
}

export function stopSummary(stop: Decision["stop"][number], view: PipelineView): string {
  switch (stop.reason) {
    case "fail-fast": {
      const failed = view.jobs.find(
        (job) =>
          job.spec.matrix && (job.conclusion === "failure" || job.conclusion === "timed_out"),
      );
      return `cancelled by fail-fast: ${failed?.spec.name ?? "a leg"} failed`;
    }
    case "needs-failed": {
      const job = view.jobs.find((j) => j.spec.key === stop.key);
      const needs = job?.spec.needs.join(", ") ?? "a required job";
      return `skipped: ${needs} did not succeed`;
    }
  }
}

/**
 * The artifacts of the jobs `job` needs, each with the path of its `dist/<name>` report: the
 * engine's kept copy (src/artifacts), or where its runner left it when nothing keeps them (the
 * CLI); undefined when they built nothing.
 */
export function jobInputs(job: JobRecord, jobs: readonly JobRecord[]): JobInputs | undefined {
  const needed = jobs.filter((other) => job.spec.needs.includes(other.spec.key));
  const artifacts = needed.flatMap((other) =>
    (other.result?.artifacts ?? []).flatMap((artifact) => {
      const path = other.result?.reports[`dist/${artifact.name}`];
      return path === undefined ? [] : [{ ...artifact, path, job: other.spec.key }];
    }),
  );
  return artifacts.length === 0 ? undefined : { artifacts };
}

/** The `job` of a deploy job's inputs: they come from the build job of the commit's pipeline. */
const BUILD_JOB_KEY = "build";

/**
 * The files a deploy job is handed: the build artifacts its deploy step names by content, at
 * the engine's kept copies of those digests. Undefined when it names none; without an artifact
 * store (`hook` undefined) too, and the runner then fails the job rather than deploy without
 * them. Whether a file is still there is the runner's check, as it copies and verifies it.
 */
export function deployInputs(
  spec: JobSpec,
  hook: Pick<ArtifactHook, "pathOf"> | undefined,
): JobInputs | undefined {
  const wanted = spec.steps.flatMap((step) =>
    step.kind === "deploy" ? (step.artifacts ?? []) : [],
  );
  if (wanted.length === 0 || hook === undefined) return undefined;
  return {
    artifacts: wanted.map((artifact) => ({
      ...artifact,
      path: hook.pathOf(artifact.sha256),
      job: BUILD_JOB_KEY,
    })),
  };
}

/** Why a deploy job that was running when Pylot stopped ended without running again. */
export const INTERRUPTED_DEPLOY =
  "Pylot restarted while this deploy ran; it was not run again, as it may have partly " +
  "deployed: check the environment, then deploy again";
