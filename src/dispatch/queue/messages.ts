import { z } from "zod";
import { SourceRefSchema } from "../../engine/source-schema.js";
import { JobSpecSchema } from "../../pipeline/spec-schema.js";
import type { DispatchRequest } from "../../engine/ports.js";
import {
  ArtifactSchema,
  JobResultSchema,
  type Conclusion,
  type JobResult,
} from "../../pipeline/types.js";

/**
 * The formats that cross Redis, validated where they are read: a runner reads run jobs, a bot
 * replica reads result messages. These are the only casts of queue data in the codebase.
 */

/** The data of a BullMQ run job: a DispatchRequest. */
export const RunJobDataSchema = z.object({
  jobId: z.string().min(1),
  attempt: z.number().int().positive(),
  pipelineId: z.string().min(1),
  spec: JobSpecSchema,
  source: SourceRefSchema,
  sha: z.string(),
  ref: z.string(),
  secrets: z.record(z.string(), z.string()),
  inputs: z
    .object({
      artifacts: z.array(ArtifactSchema.extend({ path: z.string().min(1), job: z.string() })),
    })
    .optional(),
});

export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A run job's data, checked before a runner acts on it. */
export function decodeRunJob(data: unknown): Decoded<DispatchRequest> {
  const parsed = RunJobDataSchema.safeParse(data);
  if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error) };
  // The schema checked every field; the input is used (not the parse output) because zod's
  // optional fields widen to `T | undefined`, which exactOptionalPropertyTypes rejects.
  return { ok: true, value: data as DispatchRequest };
}

/** What a runner tells the bot about a run job. */
export const ResultMessageSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("started"),
    jobId: z.string().min(1),
    attempt: z.number().int().positive(),
    at: z.string(),
    runner: z.string(),
  }),
  z.object({
    kind: z.literal("finished"),
    jobId: z.string().min(1),
    attempt: z.number().int().positive(),
    runner: z.string(),
    /** Checked with JobResultSchema by the replica that applies it, not trusted as typed here. */
    result: z.unknown(),
  }),
]);
export type ResultMessage = z.infer<typeof ResultMessageSchema>;
export type StartedMessage = Extract<ResultMessage, { kind: "started" }>;
export type FinishedMessage = Extract<ResultMessage, { kind: "finished" }>;

/**
 * The result a finished message carries, or a failure that says why it cannot be used: a job
 * must never stay in progress because its runner sent something malformed.
 */
export function resultOf(message: FinishedMessage, now: string): JobResult {
  const parsed = JobResultSchema.safeParse(message.result);
  if (
    parsed.success &&
    parsed.data.jobId === message.jobId &&
    parsed.data.attempt === message.attempt
  )
    return parsed.data;
  const why = parsed.success ? "it names another job" : z.prettifyError(parsed.error);
  return failureResult({
    jobId: message.jobId,
    attempt: message.attempt,
    summary: `runner ${message.runner} sent an invalid result: ${why}`,
    now,
  });
}

/** The result of a job that ended without a usable runner result. */
export function failureResult(input: {
  readonly jobId: string;
  readonly attempt: number;
  readonly summary: string;
  readonly now: string;
}): JobResult {
  return {
    jobId: input.jobId,
    attempt: input.attempt,
    conclusion: "failure",
    summary: input.summary,
    startedAt: input.now,
    finishedAt: input.now,
    logTail: "",
    steps: [],
    reports: {},
    timings: {},
  };
}

/** What a run job returns to BullMQ (kept with the completed job for dashboards). */
export interface RunReturn {
  readonly conclusion: Conclusion;
  readonly summary: string;
  readonly runner: string;
}
