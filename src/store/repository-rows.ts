import { z } from "zod";
import type { RepositoryRecord } from "../engine/ports.js";
import { StoreDataError } from "./errors.js";

/**
 * Rows of the `repositories` table (migration 3), validated when read like every stored row.
 * SQLite keeps booleans as 0/1; PostgreSQL's BIGINT arrives as text, hence the coercions.
 */

/** The primary key: GitHub's names are case-insensitive, so "Octo/App" and "octo/app" are one. */
export function repositoryKey(fullName: string): string {
  return fullName.toLowerCase();
}

const RepositoryRow = z.object({
  full_name: z.string().min(1),
  private: z
    .union([z.boolean(), z.literal(0), z.literal(1)])
    .transform((v) => v === true || v === 1),
  installation_id: z.coerce.number().int().positive().nullable(),
  default_branch: z.string().nullable(),
  updated_at: z.string(),
});

export function decodeRepository(row: unknown): RepositoryRecord {
  const parsed = RepositoryRow.safeParse(row);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(row)"} ${issue.message}`)
      .join("; ");
    const key = typeof row === "object" && row !== null && "key" in row ? row.key : undefined;
    throw new StoreDataError({
      table: "repositories",
      rowId: typeof key === "string" ? key : undefined,
      problems,
    });
  }
  const r = parsed.data;
  return {
    fullName: r.full_name,
    private: r.private,
    installationId: r.installation_id,
    defaultBranch: r.default_branch,
    updatedAt: r.updated_at,
  };
}

/** The upsert both adapters run (positional parameters as `encodeRepository` orders them). */
export function upsertRepositorySql(param: (n: number) => string): string {
  const [key, name, priv, installation, branch, at] = [1, 2, 3, 4, 5, 6].map(param);
  return `INSERT INTO repositories
    ("key", full_name, private, installation_id, default_branch, updated_at)
    VALUES (${key}, ${name}, ${priv}, ${installation}, ${branch}, ${at})
    ON CONFLICT ("key") DO UPDATE SET
      full_name = excluded.full_name,
      private = excluded.private,
      installation_id = COALESCE(excluded.installation_id, repositories.installation_id),
      default_branch = COALESCE(excluded.default_branch, repositories.default_branch),
      updated_at = excluded.updated_at`;
}

/** Parameters of the upsert: key, full name, private, installation, default branch, time. */
export function encodeRepository(
  record: RepositoryRecord,
): [string, string, boolean, number | null, string | null, string] {
  return [
    repositoryKey(record.fullName),
    record.fullName,
    record.private,
    record.installationId,
    record.defaultBranch,
    record.updatedAt,
  ];
}
