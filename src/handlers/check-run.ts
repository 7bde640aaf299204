import type { Context } from "probot";
import { buildCommit, once, repoAt } from "./build-commit.js";
import { decideCheckRun } from "./decide.js";
import type { HandlerServices } from "./services.js";

type CheckRunEvent = "check_run.rerequested" | "check_run.requested_action";

/**
 * "Re-run" on one of our check runs re-runs that job (a fresh check run, GitHub's convention);
 * on the summary it re-runs the pipeline; the summary's "Re-run failed jobs" button re-runs
 * the failed ones; on `Pylot / config` it reads the config again.
 */
export function onCheckRun(services: HandlerServices) {
  return once(services, async (context: Context<CheckRunEvent>): Promise<void> => {
    const decision = decideCheckRun(context.payload);
    const log = context.log.child({ repo: context.payload.repository.full_name });
    switch (decision.kind) {
      case "skip":
        log.debug({ reason: decision.reason }, "check run event ignored");
        return;
      case "rerun-job": {
        const job = await services.store.getJob(decision.jobId);
        const pipeline = job && (await services.store.getPipeline(job.pipelineId));
        if (job === undefined || pipeline?.trigger.repo !== decision.repo) {
          log.warn({ job: decision.jobId }, "re-run of an unknown job ignored");
          return;
        }
        await services.engine.rerun(job.pipelineId, { kind: "job", key: job.spec.key });
        log.info({ job: job.id }, "job re-run");
        return;
      }
      case "rerun-pipeline": {
        const pipeline = await services.store.getPipeline(decision.pipelineId);
        if (pipeline?.trigger.repo !== decision.repo) {
          log.warn({ pipeline: decision.pipelineId }, "re-run of an unknown pipeline ignored");
          return;
        }
        await services.engine.rerun(pipeline.id, decision.which);
        log.info({ pipeline: pipeline.id, which: decision.which.kind }, "pipeline re-run");
        return;
      }
      case "recheck": {
        services.configs.forget(repoAt(decision.target));
        const outcome = await buildCommit(services, context.octokit, decision.target, log);
        log.info({ outcome }, "config re-checked");
        return;
      }
    }
  });
}
