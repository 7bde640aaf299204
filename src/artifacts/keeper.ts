import type { Logger } from "pino";
import type {
  ArtifactHook,
  ArtifactIndex,
  ArtifactRecord,
  PipelineRecord,
} from "../engine/ports.js";
import type { Artifact, JobResult } from "../pipeline/types.js";
import type { ArtifactFiles } from "./file-store.js";

export interface ArtifactKeeperOptions {
  readonly files: ArtifactFiles;
  readonly index: ArtifactIndex;
  /** How long a kept artifact is listed and served. */
  readonly retentionMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** The report under which a build step leaves an artifact (runner/wheel-step.ts). */
export function distReport(name: string): string {
  return `dist/${name}`;
}

type Kept =
  | { readonly ok: true; readonly artifact: Artifact; readonly path: string }
  | { readonly ok: false; readonly artifact: Artifact; readonly reason: string };

/**
 * The engine's hook for results with artifacts: copies each file (from the runner's reports
 * folder, or from where the queue put it) into the content-addressed store, checking its
 * SHA-256, records a row per file for the commit, and points the result's `dist/<name>`
 * reports at the kept copies, which later jobs then get as inputs. A file that cannot be kept
 * fails the job with the reason: a build whose output is lost must not look green.
 */
export class ArtifactKeeper implements ArtifactHook {
  readonly #options: ArtifactKeeperOptions;
  readonly #log: Logger;
  readonly #now: () => Date;

  constructor(options: ArtifactKeeperOptions) {
    this.#options = options;
    this.#log = options.logger.child({ name: "artifacts" });
    this.#now = options.now ?? (() => new Date());
  }

  pathOf(sha256: string): string {
    return this.#options.files.pathOf(sha256);
  }

  async keep(pipeline: PipelineRecord, result: JobResult): Promise<JobResult> {
    const artifacts = result.artifacts ?? [];
    if (artifacts.length === 0) return result;
    const kept: Kept[] = [];
    for (const artifact of artifacts) kept.push(await this.#copy(result, artifact));
    const stored = kept.filter((k) => k.ok);
    await this.#record(pipeline, result, stored);
    const reports = { ...result.reports };
    for (const { artifact, path } of stored) reports[distReport(artifact.name)] = path;
    const applied = { ...result, reports, artifacts: stored.map((k) => k.artifact) };
    const lost = kept.filter((k) => !k.ok);
    if (lost.length === 0) return applied;
    const why = lost.map((k) => `${k.artifact.name}: ${k.reason}`).join("; ");
    this.#log.warn({ job: result.jobId, lost: why }, "build artifacts could not be kept");
    return { ...applied, conclusion: "failure", summary: `artifacts could not be kept: ${why}` };
  }

  async #copy(result: JobResult, artifact: Artifact): Promise<Kept> {
    const source = result.reports[distReport(artifact.name)];
    if (source === undefined) return { ok: false, artifact, reason: "the runner left no file" };
    try {
      const path = await this.#options.files.putFile(source, artifact);
      return { ok: true, artifact, path };
    } catch (error) {
      return { ok: false, artifact, reason: reasonOf(error) };
    }
  }

  async #record(
    pipeline: PipelineRecord,
    result: JobResult,
    stored: readonly { readonly artifact: Artifact }[],
  ): Promise<void> {
    const repo = pipeline.trigger.repo;
    // A pipeline of no repository (`pylot run`) has nothing to list or serve.
    if (repo === undefined || stored.length === 0) return;
    const now = this.#now();
    const expiresAt = new Date(now.getTime() + this.#options.retentionMs).toISOString();
    const records: ArtifactRecord[] = stored.map(({ artifact }) => ({
      ...artifact,
      repo,
      sha: pipeline.trigger.sha,
      job: result.jobId,
      createdAt: now.toISOString(),
      expiresAt,
    }));
    await this.#options.index.saveArtifacts(records);
  }
}

/** A short reason for a summary line: the error's message without the stack or paths' noise. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && "code" in error && error.code === "ENOENT")
    return "the file is missing";
  return error instanceof Error ? error.message : String(error);
}
