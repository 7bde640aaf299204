import type { Context } from "probot";
import type { Logger } from "pino";
import {
  configCheck,
  forkGateCheck,
  loadRepoConfig,
  publishCheck,
  type ChecksPort,
  type ConfigPort,
  type RepoAt,
} from "../github/index.js";
import type { BranchPort } from "../github/branches.js";
import { withDiffMinimum } from "../github/coverage-gate.js";
import { plan } from "../pipeline/index.js";
import type { Trigger } from "../pipeline/types.js";
import { PipelineConflictError } from "../store/errors.js";
import type { BuildTarget } from "./decide.js";
import type { HandlerServices } from "./services.js";

/** The installation client a handler gets from Probot, narrowed to what handlers use. */
export type HandlerOctokit = ConfigPort &
  BranchPort & { readonly rest: { readonly checks: ChecksPort } };

export type BuildOutcome =
  | { readonly kind: "started"; readonly pipelineId: string }
  | { readonly kind: "exists"; readonly pipelineId: string }
  | { readonly kind: "not-python" }
  | { readonly kind: "invalid-config" };

export function repoAt(target: BuildTarget): RepoAt {
  return { owner: target.owner, repo: target.repo, sha: target.sha };
}

export function fullName(target: Pick<BuildTarget, "owner" | "repo">): string {
  return `${target.owner}/${target.repo}`;
}

/**
 * Runs a handler once per delivery id. A delivery whose handling failed (GitHub down while the
 * config was read, say) is forgotten again, so GitHub's redelivery is processed, not ignored.
 */
export function once<C extends Context>(
  services: HandlerServices,
  handle: (context: C) => Promise<void>,
): (context: C) => Promise<void> {
  return async (context) => {
    if (!(await services.store.recordDelivery(context.id, context.name))) {
      context.log.info({ delivery: context.id }, "duplicate delivery ignored");
      return;
    }
    try {
      await handle(context);
    } catch (error) {
      await services.store.forgetDelivery(context.id).catch((forgetError: unknown) => {
        context.log.warn({ err: forgetError, delivery: context.id }, "could not forget delivery");
      });
      throw error;
    }
  };
}

/**
 * Builds a commit once: one pipeline per repository and SHA, whichever of push, pull_request
 * or check_suite arrives first (check runs belong to the commit, so one set serves them all).
 * A commit whose pipeline was cancelled (superseded) may be built again.
 */
export function buildCommit(
  services: HandlerServices,
  octokit: HandlerOctokit,
  target: BuildTarget,
  log: Logger,
): Promise<BuildOutcome> {
  const at = repoAt(target);
  return services.commits.run(`${at.owner}/${at.repo}@${at.sha}`, async () => {
    const repo = fullName(target);
    const existing = await services.store.findPipelineBySha(repo, target.sha);
    if (existing !== undefined && existing.conclusion !== "cancelled")
      return { kind: "exists", pipelineId: existing.id };
    const config = await services.configs.get(at, () => loadRepoConfig(octokit, at));
    switch (config.kind) {
      case "none":
        return { kind: "not-python" };
      case "invalid": {
        if (services.configs.claimReport(at)) {
          const desired = configCheck(at, config.errors, config.annotate);
          await publishCheck({ checks: octokit.rest.checks, target: at, desired, logger: log });
        }
        return { kind: "invalid-config" };
      }
      case "config": {
        const trigger: Trigger = {
          source: "github",
          event: target.event,
          sha: target.sha,
          ref: target.ref,
          repo,
          installationId: target.installationId,
          ...(target.pullRequest === undefined ? {} : { pullRequest: target.pullRequest }),
        };
        const started = services.engine.start({
          trigger,
          plan: withDiffMinimum(
            plan(config.config, { defaultPython: services.defaultPython }),
            config.config,
          ),
          source: { kind: "github", repo, sha: target.sha, installationId: target.installationId },
        });
        return await started.then(
          (view): BuildOutcome => ({ kind: "started", pipelineId: view.pipeline.id }),
          (error: unknown) => builtElsewhere(services, { repo, sha: target.sha }, error),
        );
      }
    }
  });
}

/**
 * Another replica started the commit's build between our look and our start (the store lets
 * one running build per commit in): that build stands for this event too.
 */
async function builtElsewhere(
  services: HandlerServices,
  commit: { readonly repo: string; readonly sha: string },
  error: unknown,
): Promise<BuildOutcome> {
  if (!(error instanceof PipelineConflictError)) throw error;
  const winner = await services.store.findPipelineBySha(commit.repo, commit.sha);
  if (winner === undefined) throw error;
  return { kind: "exists", pipelineId: winner.id };
}

/** Cancels running pipelines of a PR (or of a branch's pushes) built for another commit. */
export async function supersede(
  services: HandlerServices,
  filter: { readonly repo: string; readonly sha: string } & (
    { readonly pullRequest: number } | { readonly ref: string }
  ),
): Promise<string[]> {
  const running = await services.store.findRunningPipelines(filter);
  const stale = running.filter((pipeline) => pipeline.trigger.sha !== filter.sha);
  const reason = `superseded by ${filter.sha.slice(0, 7)}`;
  for (const pipeline of stale) await services.engine.cancelPipeline(pipeline.id, reason);
  return stale.map((pipeline) => pipeline.id);
}

/**
 * A fork's pull request: nothing of it runs. When the repository uses Pylot, its `Pylot`
 * check asks for a maintainer's `/ok-to-test` instead.
 */
export async function gateFork(
  services: HandlerServices,
  octokit: HandlerOctokit,
  gate: { readonly target: BuildTarget; readonly headRepo: string; readonly url: string },
  log: Logger,
): Promise<"gated" | "not-python"> {
  const at = repoAt(gate.target);
  const config = await services.configs.get(at, () => loadRepoConfig(octokit, at));
  if (config.kind === "none") return "not-python";
  if (services.configs.claimReport(at)) {
    const desired = forkGateCheck(at, { headRepo: gate.headRepo, url: gate.url });
    await publishCheck({ checks: octokit.rest.checks, target: at, desired, logger: log });
  }
  return "gated";
}
