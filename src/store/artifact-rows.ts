import { z } from "zod";
import type { ArtifactRecord } from "../engine/ports.js";
import { ARTIFACT_KINDS } from "../pipeline/types.js";
import { StoreDataError } from "./errors.js";

/**
 * Rows of the `artifacts` table (migration 5), validated when read like every stored row.
 * PostgreSQL's BIGINT arrives as text, hence the coercion of `size`.
 */

export const ARTIFACT_COLUMNS = [
  "repo",
  "sha",
  "name",
  "kind",
  "size",
  "sha256",
  "job",
  "created_at",
  "expires_at",
] as const;

/** On a rebuild of the same commit, the newest build's file replaces the row. */
export const ARTIFACT_UPSERT = `ON CONFLICT (repo, sha, name) DO UPDATE SET
  kind = excluded.kind, size = excluded.size, sha256 = excluded.sha256, job = excluded.job,
  created_at = excluded.created_at, expires_at = excluded.expires_at`;

const ArtifactRow = z.object({
  repo: z.string().min(1),
  sha: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(ARTIFACT_KINDS),
  size: z.coerce.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  job: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
});

export function encodeArtifact(record: ArtifactRecord): (string | number)[] {
  return [
    record.repo,
    record.sha,
    record.name,
    record.kind,
    record.size,
    record.sha256,
    record.job,
    record.createdAt,
    record.expiresAt,
  ];
}

export function decodeArtifact(row: unknown): ArtifactRecord {
  const parsed = ArtifactRow.safeParse(row);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(row)"} ${issue.message}`)
      .join("; ");
    const name = typeof row === "object" && row !== null && "name" in row ? row.name : undefined;
    throw new StoreDataError({
      table: "artifacts",
      rowId: typeof name === "string" ? name : undefined,
      problems,
    });
  }
  const r = parsed.data;
  return {
    repo: r.repo,
    sha: r.sha,
    name: r.name,
    kind: r.kind,
    size: r.size,
    sha256: r.sha256,
    job: r.job,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
