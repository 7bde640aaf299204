import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { DeployRun, Store } from "../engine/ports.js";

/**
 * Who finishes a deployment (health check, final status, reply). The deploy pipeline's own end
 * and a restarted replica's recovery may both try: the store's claim lets one process at a time
 * do it, renewed while it works, so a live finisher keeps it and a dead one's lapses.
 */

/**
 * How long a claim lasts unless renewed (`PYLOT_DEPLOY_CLAIM_SECONDS`); a dead finisher's run
 * waits this long at most. Renewed every third of it.
 */
export const FINISH_CLAIM_MS = 30_000;

export interface FinishClaimDeps {
  readonly store: Pick<Store, "claimDeployFinish">;
  readonly log: Logger;
  /** Default FINISH_CLAIM_MS. */
  readonly claimMs?: number | undefined;
}

export type ClaimOutcome =
  /** This process held the claim and ran the finish. */
  | "finished"
  /** Another process holds the claim (or, for a recovery, the run was finished meanwhile). */
  | "held-elsewhere"
  /** The store did not answer: ran anyway for the pipeline's end, skipped for a recovery. */
  | "unclaimed";

function claimOf(holder: string, openOnly: boolean, claimMs: number) {
  const now = Date.now();
  return {
    holder,
    now: new Date(now).toISOString(),
    until: new Date(now + claimMs).toISOString(),
    openOnly,
  };
}

/**
 * Runs `finish` while holding the claim to finish `run`. Each call claims as a holder of its
 * own, so a second attempt in the same process is refused like another replica's. `recovery`
 * claims only an unfinished run and gives up when the store cannot be asked; the pipeline's own
 * end claims whatever the run's state and, when the store cannot be asked, finishes anyway: an
 * answer on GitHub matters more than the rare duplicate.
 */
export async function whileClaimed(
  deps: FinishClaimDeps,
  target: { readonly run: Pick<DeployRun, "repo" | "deploymentId">; readonly recovery: boolean },
  finish: () => Promise<void>,
): Promise<ClaimOutcome> {
  const { repo, deploymentId } = target.run;
  const holder = randomUUID();
  const claimMs = deps.claimMs ?? FINISH_CLAIM_MS;
  const claim = (openOnly: boolean) =>
    deps.store.claimDeployFinish(repo, deploymentId, claimOf(holder, openOnly, claimMs));
  let held: boolean | undefined;
  try {
    held = await claim(target.recovery);
  } catch (error) {
    deps.log.warn({ err: error, deployment: deploymentId }, "deploy finish claim failed");
  }
  if (held === false) return "held-elsewhere";
  if (held === undefined && target.recovery) return "unclaimed";
  const renew = setInterval(() => {
    // Renewing once the run is finished is expected (the reply and reaction come after).
    claim(false).then(
      (kept) => {
        if (!kept) deps.log.warn({ deployment: deploymentId }, "deploy finish claim lost");
      },
      (error: unknown) => {
        deps.log.warn({ err: error, deployment: deploymentId }, "deploy finish claim not renewed");
      },
    );
  }, claimMs / 3);
  renew.unref();
  try {
    await finish();
  } finally {
    clearInterval(renew);
  }
  return held === undefined ? "unclaimed" : "finished";
}
