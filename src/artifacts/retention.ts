import type { Logger } from "pino";
import type { ArtifactIndex } from "../engine/ports.js";
import type { ArtifactFiles } from "./file-store.js";

const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;
/** How often a process sweeps; the first sweep runs at start. */
export const SWEEP_EVERY_MS = 60 * 60_000;
/**
 * Files younger than this are never deleted, referenced or not: a file is written before its
 * row (and a queue replica stages blobs before the engine records them).
 */
export const SWEEP_GRACE_MS = 60 * 60_000;

/** PYLOT_ARTIFACT_RETENTION_DAYS: a positive number of days; default 30. */
export function retentionMs(setting: string | undefined): number {
  if (setting === undefined || setting.trim() === "") return DEFAULT_RETENTION_DAYS * DAY_MS;
  const days = Number(setting);
  if (!Number.isFinite(days) || days <= 0)
    throw new Error(
      `PYLOT_ARTIFACT_RETENTION_DAYS must be a positive number of days, such as 30, not "${setting}"`,
    );
  return days * DAY_MS;
}

export interface SweepOptions {
  readonly index: ArtifactIndex;
  readonly files: ArtifactFiles;
  readonly now: Date;
  readonly graceMs?: number;
}

export interface SweepOutcome {
  /** Expired rows deleted. */
  readonly rows: number;
  /** Files deleted: unreferenced ones and leftovers of interrupted writes. */
  readonly files: number;
}

/**
 * Deletes expired rows, then every file no row names any more (older than the grace period).
 * Rows go first, so a file is only deleted once nothing can serve it. Several replicas may
 * sweep at once: each deletion is idempotent.
 */
export async function sweepArtifacts(options: SweepOptions): Promise<SweepOutcome> {
  const { index, files, now } = options;
  const rows = await index.deleteExpiredArtifacts(now.toISOString());
  const referenced = await index.referencedDigests();
  const cutoff = now.getTime() - (options.graceMs ?? SWEEP_GRACE_MS);
  let deleted = 0;
  for await (const file of files.list()) {
    if (file.modifiedMs > cutoff || referenced.has(file.sha256)) continue;
    await files.remove(file.path);
    deleted += 1;
  }
  return { rows, files: deleted };
}

/**
 * Sweeps now and then every `everyMs` on an unref'd timer (it never keeps the process alive).
 * A failed sweep is logged and tried again next time. `stop` waits for a sweep in flight.
 */
export function startSweeper(options: {
  readonly sweep: () => Promise<SweepOutcome>;
  readonly everyMs?: number;
  readonly logger: Logger;
}): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    if (stopped) return;
    running = running.then(async () => {
      try {
        const outcome = await options.sweep();
        if (outcome.rows + outcome.files > 0) options.logger.info(outcome, "artifacts swept");
      } catch (error) {
        options.logger.warn({ err: error }, "artifact sweep failed");
      }
    });
  };
  run();
  const timer = setInterval(run, options.everyMs ?? SWEEP_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
