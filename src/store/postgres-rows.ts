import type { JobPatch, JobRecord, PipelinePatch, PipelineRecord } from "../engine/ports.js";
import * as rows from "./rows.js";

/**
 * Row encoding for PostgreSQL: the same rows as SQLite's (rows.ts), plus what jsonb needs.
 * Reading back needs nothing extra, since the pool hands jsonb over as text (postgres-pool.ts).
 */

export const decodeJob = rows.decodeJob;
export const decodePipeline = rows.decodePipeline;

export type Columns = Record<string, string | number | null>;

const JSON_COLUMNS = new Set(["trigger", "plan", "source", "spec", "result", "external"]);

// An escaped NUL ("\u0000") that is not itself an escaped backslash followed by "u0000".
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * jsonb refuses the NUL character, which a job's log tail can hold (binary test output), and
 * refusing the whole result would leave the job running forever. NUL becomes U+FFFD instead.
 */
export function jsonbText(json: string): string {
  return json.replace(ESCAPED_NUL, "$1\\ufffd");
}

function forJsonb(columns: Columns): Columns {
  return Object.fromEntries(
    Object.entries(columns).map(([column, value]) => [
      column,
      JSON_COLUMNS.has(column) && typeof value === "string" ? jsonbText(value) : value,
    ]),
  );
}

export function encodePipeline(pipeline: PipelineRecord): Columns {
  return forJsonb(rows.encodePipeline(pipeline));
}

export function encodeJob(job: JobRecord, position: number): Columns {
  return forJsonb(rows.encodeJob(job, position));
}

/** Maps JobPatch fields to columns; anything not listed here cannot reach SQL. */
export function jobPatchColumns(patch: JobPatch): Columns {
  const columns: Columns = {};
  if (patch.state !== undefined) columns["state"] = patch.state;
  if (patch.attempt !== undefined) columns["attempt"] = patch.attempt;
  if (patch.conclusion !== undefined) columns["conclusion"] = patch.conclusion;
  if (patch.result !== undefined) {
    columns["result"] = patch.result === null ? null : JSON.stringify(patch.result);
  }
  if (patch.startedAt !== undefined) columns["started_at"] = patch.startedAt;
  if (patch.finishedAt !== undefined) columns["finished_at"] = patch.finishedAt;
  if (patch.external !== undefined) columns["external"] = JSON.stringify(patch.external);
  return forJsonb(columns);
}

export function pipelinePatchColumns(patch: PipelinePatch, now: Date): Columns {
  const columns: Columns = { updated_at: patch.updatedAt ?? now.toISOString() };
  if (patch.status !== undefined) columns["status"] = patch.status;
  if (patch.conclusion !== undefined) columns["conclusion"] = patch.conclusion;
  if (patch.cancelReason !== undefined) columns["cancel_reason"] = patch.cancelReason;
  return columns;
}
