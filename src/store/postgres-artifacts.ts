import type { Pool } from "pg";
import type { ArtifactIndex, ArtifactRecord } from "../engine/ports.js";
import {
  ARTIFACT_COLUMNS,
  ARTIFACT_UPSERT,
  decodeArtifact,
  encodeArtifact,
} from "./artifact-rows.js";
import { inTransaction } from "./postgres-pool.js";

const INSERT = `INSERT INTO artifacts (${ARTIFACT_COLUMNS.join(", ")})
  VALUES (${ARTIFACT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")}) ${ARTIFACT_UPSERT}`;

/** The artifacts table on PostgreSQL; one upsert per file, in one transaction. */
export class PostgresArtifacts implements ArtifactIndex {
  constructor(private readonly pool: Pool) {}

  async saveArtifacts(records: readonly ArtifactRecord[]): Promise<void> {
    if (records.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      for (const record of records) await client.query(INSERT, encodeArtifact(record));
    });
  }

  async listArtifacts(repo: string, sha: string, now: string): Promise<ArtifactRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM artifacts WHERE repo = $1 AND sha = $2 AND expires_at > $3 ORDER BY name`,
      [repo, sha, now],
    );
    return rows.map(decodeArtifact);
  }

  async deleteExpiredArtifacts(now: string): Promise<number> {
    const { rowCount } = await this.pool.query("DELETE FROM artifacts WHERE expires_at <= $1", [
      now,
    ]);
    return rowCount ?? 0;
  }

  async referencedDigests(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ sha256: string }>(
      "SELECT DISTINCT sha256 FROM artifacts",
    );
    return new Set(rows.map((row) => row.sha256));
  }
}
