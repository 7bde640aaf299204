import type { Logger } from "pino";
import type { JobResult } from "../pipeline/types.js";
import type { ArtifactHook, Store } from "./ports.js";

/**
 * The result to apply once the hook kept its artifacts. A stale or duplicate result (the job
 * is not open at that attempt) is returned as it is: it will not be applied, so nothing of it is
 * kept. A hook that throws (the store is down) fails the job rather than leaving it running.
 */
export async function keptResult(input: {
  readonly hook: ArtifactHook;
  readonly store: Pick<Store, "getJob" | "getPipeline">;
  readonly result: JobResult;
  readonly log: Logger;
}): Promise<JobResult> {
  const { hook, store, result } = input;
  if ((result.artifacts ?? []).length === 0) return result;
  const job = await store.getJob(result.jobId);
  const open = job?.state === "queued" || job?.state === "in_progress";
  if (job === undefined || !open || job.attempt !== result.attempt) return result;
  const pipeline = await store.getPipeline(job.pipelineId);
  if (pipeline === undefined) return result;
  try {
    return await hook.keep(pipeline, result);
  } catch (error) {
    input.log.error({ err: error, job: result.jobId }, "keeping build artifacts failed");
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ...result,
      conclusion: "failure",
      summary: `artifacts could not be kept: ${reason}`,
      artifacts: [],
    };
  }
}
