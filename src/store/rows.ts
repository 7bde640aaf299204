import { z } from "zod";
import { SourceRefSchema } from "../engine/source-schema.js";
import { JobSpecSchema, PipelineSchema } from "../pipeline/spec-schema.js";
import type { JobRecord, JobState, PipelineRecord, SourceRef } from "../engine/ports.js";
import {
  CONCLUSIONS,
  JobResultSchema,
  type JobSpec,
  type Pipeline,
  type Trigger,
} from "../pipeline/types.js";
import { StoreDataError } from "./errors.js";

/**
 * Stored rows and their schemas. Everything read back is validated, so a row edited by hand or
 * written by a broken build fails with a StoreDataError naming the row and the field.
 */

export const JOB_STATES = [
  "pending",
  "queued",
  "in_progress",
  "completed",
] as const satisfies readonly JobState[];
const PIPELINE_STATUSES = ["running", "completed"] as const;

/** A TEXT column holding JSON that must match `schema`. */
function jsonText<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: "is not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const TriggerSchema = z.object({
  source: z.enum(["cli", "github"]),
  event: z.enum(["local", "push", "pull_request", "check_suite", "rerun", "deploy"]),
  sha: z.string(),
  ref: z.string(),
  repo: z.string().exactOptional(),
  pullRequest: z.number().int().exactOptional(),
  installationId: z.number().int().exactOptional(),
});

const ExternalSchema = z.record(z.string(), z.string());

const PipelineRowSchema = z.object({
  id: z.string(),
  status: z.enum(PIPELINE_STATUSES),
  conclusion: z.enum(CONCLUSIONS).nullable(),
  trigger: jsonText(TriggerSchema),
  plan: jsonText(PipelineSchema),
  source: jsonText(SourceRefSchema),
  cancel_reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const JobRowSchema = z.object({
  id: z.string(),
  pipeline_id: z.string(),
  spec: jsonText(JobSpecSchema),
  state: z.enum(JOB_STATES),
  attempt: z.number().int().positive(),
  conclusion: z.enum(CONCLUSIONS).nullable(),
  result: jsonText(JobResultSchema).nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  external: jsonText(ExternalSchema),
});

function parseRow<T extends z.ZodType>(table: string, schema: T, row: unknown): z.output<T> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const id = typeof row === "object" && row !== null && "id" in row ? row.id : undefined;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "(row)"} ${issue.message}`)
    .join("; ");
  throw new StoreDataError({ table, rowId: typeof id === "string" ? id : undefined, problems });
}

export function decodePipeline(row: unknown): PipelineRecord {
  const r = parseRow("pipelines", PipelineRowSchema, row);
  const trigger: Trigger = r.trigger;
  const plan: Pipeline = r.plan;
  const source: SourceRef = r.source;
  return {
    id: r.id,
    trigger,
    plan,
    source,
    status: r.status,
    conclusion: r.conclusion,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    cancelReason: r.cancel_reason,
  };
}

export function decodeJob(row: unknown): JobRecord {
  const r = parseRow("jobs", JobRowSchema, row);
  const spec: JobSpec = r.spec;
  return {
    id: r.id,
    pipelineId: r.pipeline_id,
    spec,
    state: r.state,
    attempt: r.attempt,
    conclusion: r.conclusion,
    result: r.result,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    external: r.external,
  };
}

/** Named parameters of an INSERT INTO pipelines. */
export function encodePipeline(p: PipelineRecord): Record<string, string | number | null> {
  return {
    id: p.id,
    repo: p.trigger.repo ?? null,
    pull_request: p.trigger.pullRequest ?? null,
    ref: p.trigger.ref,
    sha: p.trigger.sha,
    status: p.status,
    conclusion: p.conclusion,
    trigger: JSON.stringify(p.trigger),
    plan: JSON.stringify(p.plan),
    source: JSON.stringify(p.source),
    cancel_reason: p.cancelReason,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/** Named parameters of an INSERT INTO jobs; `position` keeps the plan's order. */
export function encodeJob(
  job: JobRecord,
  position: number,
): Record<string, string | number | null> {
  return {
    id: job.id,
    pipeline_id: job.pipelineId,
    key: job.spec.key,
    position,
    spec: JSON.stringify(job.spec),
    state: job.state,
    attempt: job.attempt,
    conclusion: job.conclusion,
    result: job.result === null ? null : JSON.stringify(job.result),
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    external: JSON.stringify(job.external),
  };
}
