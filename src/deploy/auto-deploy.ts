import type { Logger } from "pino";
import type { DeployEnvironment, PylotConfig } from "../config/schema.js";
import type { Engine } from "../engine/engine.js";
import type { PipelineRecord, PipelineView, Reporter } from "../engine/ports.js";
import type { RepoRef } from "../github/comments.js";
import { loadRepoConfig, type ConfigCache } from "../github/repo-config.js";
import { createDeployCheck } from "../github/deploy-check.js";
import { SUMMARY_CHECK } from "./checks.js";
import type { DeployReporterOctokit } from "./deploy-scene.js";
import { defaultBranchConfig, syncedHistory } from "./environment-history.js";
import { deployGate } from "./gate.js";
import { historyOf } from "./history.js";
import { findBuildEvidence } from "./build-evidence.js";
import { PYLOT_ACTOR, deploySecretValues, isDeployPipeline, startDeploy } from "./orchestrate.js";
import type { AutoRollbackDeps } from "./auto-rollback.js";
import { deploySecrets } from "./secrets.js";

/**
 * `deploy.<env>.auto: { branch }`: when a pipeline of a push to that branch completes green,
 * its exact commit is deployed to the environment, through the gates a `/deploy` meets except
 * the pull request's own (a running deployment, a lock, `requires`). The default branch's config
 * decides, as for commands; it is read only when the commit's own config names the branch, so
 * other pushes cost no request. There is no pull request to answer: the deployment's statuses
 * and its `Pylot / deploy (<env>)` check run tell what happened, and a gate that stopped it
 * leaves a neutral check run saying why. Once per commit and environment: a claim in the store
 * (replicas, replays), and a commit already live is not deployed again.
 */

/** The branch a pipeline built by a push (or a check suite) of it; undefined for anything else. */
export function pushedBranch(pipeline: Pick<PipelineRecord, "trigger">): string | undefined {
  const { trigger } = pipeline;
  if (trigger.source !== "github" || isDeployPipeline(pipeline)) return undefined;
  if (trigger.pullRequest !== undefined || !trigger.ref.startsWith("refs/heads/")) return undefined;
  return trigger.ref.slice("refs/heads/".length);
}

/** The environments that deploy `branch` by themselves, in the config's order. */
export function autoEnvironments(
  deploy: Readonly<Record<string, DeployEnvironment>>,
  branch: string,
): string[] {
  return Object.entries(deploy)
    .filter(([, environment]) => environment.auto?.branch === branch)
    .map(([env]) => env);
}

/** The key claimed once per repository, environment and commit, across replicas and replays. */
export function autoDeployKey(repo: string, env: string, sha: string): string {
  return `auto-deploy/${repo}/${env}/${sha}`;
}

export interface AutoDeployOptions {
  readonly octokitFor: (installationId: number) => Promise<DeployReporterOctokit>;
  readonly store: AutoRollbackDeps["store"];
  /** The commits' own configs, as the handlers loaded them. */
  readonly configs: ConfigCache;
  readonly engine: Pick<Engine, "start">;
  readonly publicUrl: string | undefined;
  /** `PYLOT_BADGE_SECRET`, for the log links of private repositories. */
  readonly badgeSecret: string | undefined;
  /** The bot's environment: deploy secrets, and the values masked in what is written. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The Python of the deploy job (as for `/deploy`). */
  readonly defaultPython: string;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface AutoDeploys {
  /** The reporter, plus the automatic deploy once the pipeline completed. */
  wrap(reporter: Reporter): Reporter;
  /** Deploys a completed pipeline's commit where `auto` asks for it; never throws. */
  pipelineCompleted(view: PipelineView): Promise<void>;
}

/** A green commit of an auto-deploy branch, with the default branch's config. */
interface Commit {
  readonly octokit: DeployReporterOctokit;
  readonly at: RepoRef & { readonly installationId: number };
  readonly repo: string;
  readonly sha: string;
  readonly branch: string;
  readonly config: PylotConfig;
}

interface Context {
  readonly options: AutoDeployOptions;
  readonly log: Logger;
  readonly now: () => Date;
}

export function createAutoDeploys(options: AutoDeployOptions): AutoDeploys {
  const ctx: Context = {
    options,
    log: options.logger.child({ name: "auto-deploy" }),
    now: options.now ?? (() => new Date()),
  };
  const pipelineCompleted = async (view: PipelineView): Promise<void> => {
    try {
      const commit = await greenCommit(ctx, view);
      if (commit === undefined) return;
      for (const env of autoEnvironments(commit.config.deploy, commit.branch)) {
        try {
          await deployTo(ctx, commit, env);
        } catch (error) {
          ctx.log.error({ err: error, repo: commit.repo, env }, "automatic deploy failed");
        }
      }
    } catch (error) {
      ctx.log.error({ err: error, pipeline: view.pipeline.id }, "automatic deploy failed");
    }
  };
  return {
    pipelineCompleted,
    wrap: (reporter) => ({
      pipelineCreated: (view) => reporter.pipelineCreated(view),
      jobChanged: (view, job) => reporter.jobChanged(view, job),
      async pipelineCompleted(view) {
        try {
          await reporter.pipelineCompleted(view);
        } finally {
          await pipelineCompleted(view);
        }
      },
    }),
  };
}

/** The completed pipeline's commit, when it is green on a branch some environment follows. */
async function greenCommit(ctx: Context, view: PipelineView): Promise<Commit | undefined> {
  const { pipeline } = view;
  const branch = pushedBranch(pipeline);
  const { repo, installationId, sha } = pipeline.trigger;
  if (branch === undefined || pipeline.conclusion !== "success") return undefined;
  if (repo === undefined || installationId === undefined) return undefined;
  const [owner = "", name = ""] = repo.split("/");
  const at = { owner, repo: name, installationId };
  const octokit = await ctx.options.octokitFor(installationId);
  // Only a commit whose own config names its branch is looked at further: every other push
  // costs no request. The default branch's config then decides, as for commands.
  const own = await ctx.options.configs.get({ owner, repo: name, sha }, () =>
    loadRepoConfig(octokit, { owner, repo: name, sha }),
  );
  if (own.kind !== "config" || autoEnvironments(own.config.deploy, branch).length === 0)
    return undefined;
  const loaded = await defaultBranchConfig({ octokit, store: ctx.options.store, at });
  if (loaded.kind !== "config") {
    ctx.log.warn({ repo, branch: loaded.branch, why: loaded.why }, "no automatic deploy");
    return undefined;
  }
  return { octokit, at, repo, sha, branch, config: loaded.config };
}

async function deployTo(ctx: Context, commit: Commit, env: string): Promise<void> {
  const { options, log } = ctx;
  const { octokit, at, repo, sha, config } = commit;
  const environment = config.deploy[env];
  if (environment === undefined) return;
  const deployments = await syncedHistory({
    repos: octokit.rest.repos,
    at,
    store: options.store,
    environments: [env, ...environment.requires],
  });
  const live = historyOf(env, deployments).find((record) => record.state === "success");
  if (live?.sha === sha) return;
  const gate = deployGate({
    env,
    config: config.deploy,
    headSha: sha,
    checks: [{ name: SUMMARY_CHECK, status: "completed", conclusion: "success" }],
    deployments,
    lock: await options.store.getLock(repo, env),
    force: false,
    now: ctx.now().toISOString(),
    build: await findBuildEvidence({
      store: options.store,
      repo,
      sha,
      build: config.build,
      now: ctx.now(),
      retentionDays: options.env.PYLOT_ARTIFACT_RETENTION_DAYS,
    }),
  });
  const redactions = deploySecretValues(options.env);
  if (!gate.ok) {
    log.info({ repo, env, sha, reason: gate.reason }, "automatic deploy stopped by a gate");
    await notDeployed({ octokit, at, sha, env, why: gate.message, secrets: redactions });
    return;
  }
  const started = await startDeploy(
    { ...options, octokit },
    {
      at,
      plan: gate.plan,
      origin: { kind: "push", branch: commit.branch },
      actor: PYLOT_ACTOR,
      environmentUrl: environment.url,
      health: environment.health,
      python: options.defaultPython,
      timeoutMs: Math.round(config["timeout-minutes"] * 60_000),
      secrets: deploySecrets(options.env, env, { environments: Object.keys(config.deploy) }),
      redactions,
      now: ctx.now(),
      once: autoDeployKey(repo, env, sha),
    },
  );
  log.info({ repo, env, sha, outcome: started.kind }, "automatic deploy");
}

/** A neutral `Pylot / deploy (<env>)` check run on the commit: why it was not deployed. */
async function notDeployed(input: {
  readonly octokit: DeployReporterOctokit;
  readonly at: RepoRef;
  readonly sha: string;
  readonly env: string;
  readonly why: string;
  readonly secrets: readonly string[];
}): Promise<void> {
  const now = new Date().toISOString();
  await createDeployCheck({
    checks: input.octokit.rest.checks,
    at: input.at,
    check: {
      name: `Pylot / deploy (${input.env})`,
      headSha: input.sha,
      deploymentId: undefined,
      status: "completed",
      conclusion: "neutral",
      startedAt: now,
      completedAt: now,
      title: "Not deployed automatically",
      summary: input.why,
    },
    secrets: input.secrets,
  });
}
