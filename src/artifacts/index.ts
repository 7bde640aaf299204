/**
 * The `artifacts/` capability (issue 10): the engine keeps what builds produce. Files live in a
 * content-addressed store under `PYLOT_WORKDIR/artifacts`, rows in the Store; a retention sweep
 * deletes both; `http/artifacts.ts` serves them; the queue carries them between hosts
 * (`dispatch/queue/blob-transfer.ts`). `createArtifacts` wires it all for app.ts.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type { ArtifactIndex, ArtifactRecord } from "../engine/ports.js";
import { ArtifactFiles } from "./file-store.js";
import { ArtifactKeeper } from "./keeper.js";
import { retentionMs, startSweeper, sweepArtifacts, type SweepOutcome } from "./retention.js";

export { ArtifactFiles, type StoredFile } from "./file-store.js";
export { ArtifactKeeper, distReport, type ArtifactKeeperOptions } from "./keeper.js";
export {
  DEFAULT_RETENTION_DAYS,
  SWEEP_EVERY_MS,
  SWEEP_GRACE_MS,
  retentionMs,
  startSweeper,
  sweepArtifacts,
  type SweepOptions,
  type SweepOutcome,
} from "./retention.js";
export {
  ArtifactIntegrityError,
  writeVerified,
  type Chunks,
  type Expected,
} from "./verified-write.js";

/** A kept artifact and where its bytes are on this host. */
export interface KeptArtifact {
  readonly record: ArtifactRecord;
  readonly path: string;
}

export interface ArtifactsOptions {
  /** `PYLOT_WORKDIR`: files go to its `artifacts/` folder. */
  readonly workdir: string;
  readonly index: ArtifactIndex;
  /** `PYLOT_ARTIFACT_RETENTION_DAYS` as set; default 30 days. */
  readonly retentionDays: string | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface Artifacts {
  readonly files: ArtifactFiles;
  readonly index: ArtifactIndex;
  /** The engine's hook (EngineOptions.artifacts). */
  readonly keeper: ArtifactKeeper;
  /**
   * The unexpired artifacts of a commit whose file is on this host, by name: what a deploy of
   * that commit hands its job (`PYLOT_ARTIFACTS`, `PYLOT_WHEEL`).
   */
  artifactsFor(repo: string, sha: string): Promise<KeptArtifact[]>;
  /** Deletes expired rows and unreferenced files now (it also runs hourly once started). */
  sweep(): Promise<SweepOutcome>;
  /** Sweeps now and hourly until `close`. */
  startSweeping(): void;
  close(): Promise<void>;
}

/** Throws on a malformed PYLOT_ARTIFACT_RETENTION_DAYS, with what to write instead. */
export function createArtifacts(options: ArtifactsOptions): Artifacts {
  const log = options.logger.child({ name: "artifacts" });
  const now = options.now ?? (() => new Date());
  const files = new ArtifactFiles(join(options.workdir, "artifacts"));
  const { index } = options;
  const keeper = new ArtifactKeeper({
    files,
    index,
    retentionMs: retentionMs(options.retentionDays),
    logger: options.logger,
    now,
  });
  const sweep = () => sweepArtifacts({ index, files, now: now() });
  let sweeper: { stop(): Promise<void> } | undefined;
  return {
    files,
    index,
    keeper,
    async artifactsFor(repo, sha) {
      const kept: KeptArtifact[] = [];
      for (const record of await index.listArtifacts(repo, sha, now().toISOString())) {
        if ((await files.sizeOf(record.sha256)) === record.size)
          kept.push({ record, path: files.pathOf(record.sha256) });
        else log.warn({ repo, sha, name: record.name }, "artifact file is not on this host");
      }
      return kept;
    },
    sweep,
    startSweeping() {
      sweeper ??= startSweeper({ sweep, logger: log });
    },
    async close() {
      await sweeper?.stop();
    },
  };
}
