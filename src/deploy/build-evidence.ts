import { DEFAULT_RETENTION_DAYS } from "../artifacts/retention.js";
import type { PylotConfig } from "../config/schema.js";
import type { ArtifactRecord, JobRecord, Store } from "../engine/ports.js";
import type { Artifact } from "../pipeline/types.js";

/**
 * "Deploy the tested artifact" (issue 10): when the default branch's config builds (`build.wheel`,
 * `build.docker`), a commit is deployed only with what its CI pipeline built and kept, never
 * with a rebuild. This reads that evidence for the gate: the files of the commit's successful
 * build (by content) and the image id of its docker job, or why there are none.
 */
export type BuildEvidence =
  /** The project builds nothing: deploys run the command on the source, as before. */
  | { readonly kind: "not-required" }
  | {
      readonly kind: "built";
      /** The kept files of the build job, by name; empty when only an image is built. */
      readonly artifacts: readonly Artifact[];
      readonly image?: string;
    }
  /** No pipeline, no build job, or a build that did not succeed: `why` says which. */
  | { readonly kind: "no-build"; readonly why: string }
  /** The build succeeded, but its files are past retention and swept. */
  | { readonly kind: "expired"; readonly retentionDays: number };

export interface BuildEvidenceInput {
  /** `build` of the default branch's config. */
  readonly build: PylotConfig["build"];
  /** The jobs of the commit's CI pipeline; undefined when none ran. */
  readonly jobs: readonly JobRecord[] | undefined;
  /** The commit's unexpired artifact rows. */
  readonly rows: readonly ArtifactRecord[];
  readonly retentionDays: number;
}

/** Pure: what the jobs and rows say about the commit's build. */
export function buildEvidence(input: BuildEvidenceInput): BuildEvidence {
  const { build, jobs } = input;
  if (!build.wheel && build.docker === undefined) return { kind: "not-required" };
  if (jobs === undefined) return { kind: "no-build", why: "no pipeline ran on it" };
  let artifacts: Artifact[] = [];
  if (build.wheel) {
    const job = jobWith(jobs, "wheel");
    const why = notBuilt(job, "build");
    if (why !== undefined || job === undefined) return { kind: "no-build", why: why ?? "" };
    artifacts = input.rows.filter((row) => row.job === job.id).map(artifactOf);
    if (artifacts.length === 0) {
      if ((job.result?.artifacts ?? []).length > 0)
        return { kind: "expired", retentionDays: input.retentionDays };
      return { kind: "no-build", why: "its build kept no files" };
    }
  }
  if (build.docker === undefined) return { kind: "built", artifacts };
  const docker = jobWith(jobs, "docker");
  const why = notBuilt(docker, "docker");
  if (why !== undefined) return { kind: "no-build", why };
  const image = docker?.result?.image?.id;
  if (image === undefined) return { kind: "no-build", why: "its docker job recorded no image" };
  return { kind: "built", artifacts, image };
}

function jobWith(jobs: readonly JobRecord[], step: "wheel" | "docker"): JobRecord | undefined {
  return jobs.find((job) => job.spec.steps.some((s) => s.kind === step));
}

/** Why a build job does not count, in words for a reply; undefined when it succeeded. */
function notBuilt(job: JobRecord | undefined, what: string): string | undefined {
  if (job === undefined) return `its pipeline has no ${what} job`;
  if (job.state !== "completed") return `its ${job.spec.name} job has not finished`;
  if (job.conclusion !== "success") return `its ${job.spec.name} job ended ${job.conclusion}`;
  return undefined;
}

function artifactOf(row: ArtifactRecord): Artifact {
  return { name: row.name, kind: row.kind, size: row.size, sha256: row.sha256 };
}

export interface FindBuildInput {
  readonly store: Pick<Store, "findPipelineBySha" | "listJobs" | "artifacts">;
  readonly repo: string;
  readonly sha: string;
  readonly build: PylotConfig["build"];
  readonly now: Date;
  /** `PYLOT_ARTIFACT_RETENTION_DAYS` as set, for the reply about expired files. */
  readonly retentionDays: string | undefined;
}

/** Reads the commit's CI pipeline and kept artifacts from the store (nothing when not needed). */
export async function findBuildEvidence(input: FindBuildInput): Promise<BuildEvidence> {
  const { store, repo, sha, build } = input;
  if (!build.wheel && build.docker === undefined) return { kind: "not-required" };
  const pipeline = await store.findPipelineBySha(repo, sha);
  const jobs = pipeline === undefined ? undefined : await store.listJobs(pipeline.id);
  const rows = await store.artifacts.listArtifacts(repo, sha, input.now.toISOString());
  return buildEvidence({ build, jobs, rows, retentionDays: days(input.retentionDays) });
}

/** The retention in days for a message; the App refused a malformed setting at start. */
function days(setting: string | undefined): number {
  const value = Number(setting);
  return setting === undefined || setting.trim() === "" || !(value > 0)
    ? DEFAULT_RETENTION_DAYS
    : value;
}
