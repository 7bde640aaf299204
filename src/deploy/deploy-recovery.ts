import type { Logger } from "pino";
import { renderDeployFinished } from "../chatops/replies.js";
import { code } from "../chatops/text.js";
import type { Engine } from "../engine/engine.js";
import type { DeployRun, OpenDeployRun, Store } from "../engine/ports.js";
import { react, replyTo } from "../github/comments.js";
import { setDeploymentStatus } from "../github/deployments.js";
import { recordOf } from "./auto-rollback.js";
import { pullRequestOf } from "./deploy-scene.js";
import { FINISH_CLAIM_MS, whileClaimed } from "./finish-claim.js";
import type { DeployReporters } from "./orchestrate-reporter.js";
import { deploySecretValues, type DeployOctokit } from "./orchestrate.js";

/**
 * Deployments a restart interrupted (issue 9). At startup, every deploy run still holding its
 * environment is looked at: one whose deploy pipeline completed is finished as the pipeline's
 * end would have (health check, final status, reply); one whose pipeline still runs is the
 * resumed engine's; one with no pipeline at all (the bot stopped between claiming the
 * environment and starting the job) ends in `error` and frees the environment. Another
 * replica's claim is respected and looked at again once it could have lapsed.
 */

export const UNSTARTED_MESSAGE = "Pylot restarted before the deploy job started";

/**
 * A run this young may have no pipeline yet because a live replica is between claiming the
 * environment and starting the job; `createdAt` is when the command was accepted, before the
 * GitHub calls that come ahead of the claim, hence the margin.
 */
export const UNSTARTED_GRACE_MS = 5 * 60_000;
const RETRY_FLOOR_MS = 1_000;

export interface DeployRecoveryOptions {
  readonly store: Pick<
    Store,
    "listOpenDeployRuns" | "claimDeployFinish" | "saveDeployments" | "finishDeployRun"
  >;
  readonly engine: Pick<Engine, "view">;
  readonly deploys: Pick<DeployReporters, "finishInterrupted">;
  readonly octokitFor: (installationId: number) => Promise<DeployOctokit>;
  /** The bot's environment: its `PYLOT_ENV_*` values are masked in everything written. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** How long a finish claim lasts (`PYLOT_DEPLOY_CLAIM_SECONDS`); default FINISH_CLAIM_MS. */
  readonly claimMs?: number | undefined;
}

export interface DeployRecovery {
  /** Looks at the open runs now, in the background, and again later for those it had to leave. */
  start(): void;
  /** Resolves when the current look is over (tests). */
  idle(): Promise<void>;
  /** Stops looking again and waits for the finishing under way. */
  close(): Promise<void>;
}

/** What became of one open run: ended, the engine's, or to look at again at `at` (epoch ms). */
type Later = { readonly kind: "later"; readonly at: number };
type Recovered = { readonly kind: "done" } | { readonly kind: "engine" } | Later;

export function createDeployRecovery(options: DeployRecoveryOptions): DeployRecovery {
  const log = options.logger.child({ name: "deploy-recovery" });
  const claimMs = options.claimMs ?? FINISH_CLAIM_MS;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const recoverOne = recoverer(options, log);
  const sweep = async (): Promise<void> => {
    let next: number | undefined;
    try {
      for (const open of await options.store.listOpenDeployRuns()) {
        if (closed) return;
        const outcome = await recoverOne(open).catch((error: unknown) => {
          log.error({ err: error, deployment: open.run.deploymentId }, "deploy recovery failed");
          return later(undefined, claimMs);
        });
        if (outcome.kind === "later") next = Math.min(next ?? outcome.at, outcome.at);
      }
    } catch (error) {
      log.error({ err: error }, "open deploy runs could not be read");
      next = later(undefined, claimMs).at;
    }
    if (next !== undefined && !closed) {
      timer = setTimeout(run, Math.max(next - Date.now(), RETRY_FLOOR_MS));
      timer.unref();
    }
  };
  const run = () => {
    timer = undefined;
    current = sweep();
  };
  return {
    start: run,
    idle: () => current,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await current;
    },
  };
}

function later(claimedUntil: string | undefined, claimMs: number): Later {
  const until = claimedUntil === undefined ? Number.NaN : Date.parse(claimedUntil);
  return {
    kind: "later",
    at: Number.isNaN(until) ? Date.now() + claimMs : until + RETRY_FLOOR_MS,
  };
}

function recoverer(options: DeployRecoveryOptions, log: Logger) {
  const claims = { store: options.store, log, claimMs: options.claimMs ?? FINISH_CLAIM_MS };
  return async (open: OpenDeployRun): Promise<Recovered> => {
    const { run, pipelineId, claimedUntil } = open;
    const view = pipelineId === undefined ? undefined : await options.engine.view(pipelineId);
    if (view === undefined) {
      const startedAt = Date.parse(run.createdAt);
      if (Date.now() - startedAt < UNSTARTED_GRACE_MS)
        return { kind: "later", at: startedAt + UNSTARTED_GRACE_MS };
      const outcome = await whileClaimed(claims, { run, recovery: true }, () =>
        endUnstarted(options, run, log),
      );
      return outcome === "finished" ? { kind: "done" } : later(claimedUntil, claims.claimMs);
    }
    if (view.pipeline.status !== "completed") return { kind: "engine" };
    log.info({ deployment: run.deploymentId, pipeline: view.pipeline.id }, "finishing deployment");
    const outcome = await options.deploys.finishInterrupted(view);
    switch (outcome) {
      case "finished":
      case "unknown-run":
        return { kind: "done" };
      case "held-elsewhere":
      case "unclaimed":
        return later(claimedUntil, claims.claimMs);
    }
  };
}

/**
 * A deployment whose job never started: `error` on GitHub and in the mirror, the environment
 * freed, then the reply (after the freeing: a restart in between loses the reply rather than
 * posting it twice) and the confused reaction. Each write is tried on its own.
 */
async function endUnstarted(
  options: DeployRecoveryOptions,
  run: DeployRun,
  log: Logger,
): Promise<void> {
  const [owner = "", repo = ""] = run.repo.split("/");
  const at = { owner, repo };
  const secrets = deploySecretValues(options.env);
  const octokit = await options.octokitFor(run.installationId);
  const attempt = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      log.error({ err: error, deployment: run.deploymentId, what }, "deploy report failed");
    }
  };
  log.warn({ deployment: run.deploymentId }, "deploy job never started; ending it");
  await attempt("status", () =>
    setDeploymentStatus({
      repos: octokit.rest.repos,
      at,
      deploymentId: run.deploymentId,
      state: "error",
      description: UNSTARTED_MESSAGE,
      secrets,
    }),
  );
  await attempt("mirror", () => options.store.saveDeployments(run.repo, [recordOf(run, "error")]));
  await attempt("finish", () =>
    options.store.finishDeployRun(run.repo, run.deploymentId, new Date().toISOString()),
  );
  const pr = pullRequestOf(run);
  const ended = renderDeployFinished({
    plan: run.plan,
    deploymentId: run.deploymentId,
    state: "error",
  });
  const body = `${ended}\n\n${UNSTARTED_MESSAGE}: nothing ran, and ${code(run.plan.env)} is free again.`;
  if (pr !== undefined)
    await attempt("reply", () => replyTo({ octokit, at, issue: pr, body, secrets }));
  if (run.origin.kind === "comment")
    await react({ octokit, at, commentId: run.origin.commentId, content: "confused", logger: log });
}
