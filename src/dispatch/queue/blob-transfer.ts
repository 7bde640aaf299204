import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { distReport } from "../../artifacts/keeper.js";
import { writeVerified, type Chunks, type Expected } from "../../artifacts/verified-write.js";
import type { DispatchRequest, JobInputs } from "../../engine/ports.js";
import type { Artifact, JobResult } from "../../pipeline/types.js";
import { safeSegment } from "../../runner/workspace.js";
import type { BlobStore } from "./blobs.js";

/**
 * Build artifacts across hosts. The runner sends what a job built before its `finished`
 * message, and the bot replica that applies it moves the bytes into its artifact store; a job
 * with inputs gets them sent as it is queued, and its runner fetches them into its own folder.
 * Every copy is checked against the recorded SHA-256. A file that cannot cross fails its job
 * with the reason; nothing here throws for a missing or oversized file.
 */

/** Where a replica keeps what arrives (the artifact store's `put`). */
export interface ArtifactSink {
  put(chunks: Chunks, expected: Expected): Promise<string>;
}

type Moved =
  { readonly ok: true; readonly path?: string } | { readonly ok: false; readonly why: string };

async function each(
  artifacts: readonly Artifact[],
  move: (artifact: Artifact) => Promise<string | undefined>,
): Promise<{ moved: Map<string, Moved>; problems: string[] }> {
  const moved = new Map<string, Moved>();
  const problems: string[] = [];
  for (const artifact of artifacts) {
    try {
      const path = await move(artifact);
      moved.set(artifact.name, path === undefined ? { ok: true } : { ok: true, path });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      moved.set(artifact.name, { ok: false, why });
      problems.push(`${artifact.name}: ${why}`);
    }
  }
  return { moved, problems };
}

function failed(result: JobResult, artifacts: readonly Artifact[], summary: string): JobResult {
  return { ...result, conclusion: "failure", summary, artifacts: [...artifacts] };
}

/** Runner side: uploads each artifact of `result`; a file that cannot go fails the job. */
export async function sendArtifacts(blobs: BlobStore, result: JobResult): Promise<JobResult> {
  const artifacts = result.artifacts ?? [];
  if (artifacts.length === 0) return result;
  const { moved, problems } = await each(artifacts, async (artifact) => {
    const path = result.reports[distReport(artifact.name)];
    if (path === undefined) throw new Error("the build left no file");
    await blobs.upload(path, artifact);
    return undefined;
  });
  if (problems.length === 0) return result;
  const sent = artifacts.filter((a) => moved.get(a.name)?.ok === true);
  return failed(result, sent, `artifacts could not be sent to the bot: ${problems.join("; ")}`);
}

/** Bot side: moves each artifact of `result` from Redis into `sink`, pointing reports at it. */
export async function receiveArtifacts(
  blobs: BlobStore,
  sink: ArtifactSink,
  result: JobResult,
  runner: string,
): Promise<JobResult> {
  const artifacts = result.artifacts ?? [];
  if (artifacts.length === 0) return result;
  const { moved, problems } = await each(artifacts, (artifact) =>
    sink.put(blobs.chunks(artifact), artifact),
  );
  // A runner's path means nothing on this host: only the kept copies' paths stay.
  const reports = Object.fromEntries(
    Object.entries(result.reports).filter(([report]) => !report.startsWith("dist/")),
  );
  for (const [name, outcome] of moved)
    if (outcome.ok && outcome.path !== undefined) reports[distReport(name)] = outcome.path;
  const arrived = { ...result, reports };
  if (problems.length === 0) return arrived;
  const kept = artifacts.filter((a) => moved.get(a.name)?.ok === true);
  const why = `artifacts from runner ${runner} did not arrive: ${problems.join("; ")}`;
  return failed(arrived, kept, why);
}

/**
 * Bot side, as a job is queued: uploads its inputs from this host's paths. A file that cannot
 * go is only logged: the runner then fails the job, naming the file it did not get.
 */
export async function sendInputs(
  blobs: BlobStore,
  request: DispatchRequest,
  log: Logger,
): Promise<void> {
  for (const input of request.inputs?.artifacts ?? []) {
    try {
      await blobs.upload(input.path, input);
    } catch (error) {
      log.warn({ err: error, job: request.jobId, name: input.name }, "could not send a job input");
    }
  }
}

export type Fetched =
  | { readonly ok: true; readonly request: DispatchRequest }
  | { readonly ok: false; readonly message: string };

/** Runner side: downloads a job's inputs into `dir`; the request with their local paths. */
export async function receiveInputs(
  blobs: BlobStore,
  dir: string,
  request: DispatchRequest,
): Promise<Fetched> {
  const inputs = request.inputs?.artifacts ?? [];
  if (inputs.length === 0) return { ok: true, request };
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const { moved, problems } = await each(inputs, async (input) => {
    const path = join(dir, input.sha256.slice(0, 16), safeSegment(input.name));
    await writeVerified(blobs.chunks(input), path, input);
    return path;
  });
  if (problems.length > 0)
    return { ok: false, message: `inputs of this job did not arrive: ${problems.join("; ")}` };
  const artifacts: JobInputs["artifacts"] = inputs.map((input) => {
    const outcome = moved.get(input.name);
    return { ...input, path: outcome?.ok === true ? (outcome.path ?? input.path) : input.path };
  });
  return { ok: true, request: { ...request, inputs: { artifacts } } };
}
