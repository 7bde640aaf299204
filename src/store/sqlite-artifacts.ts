import type Database from "better-sqlite3";
import type { ArtifactIndex, ArtifactRecord } from "../engine/ports.js";
import {
  ARTIFACT_COLUMNS,
  ARTIFACT_UPSERT,
  decodeArtifact,
  encodeArtifact,
} from "./artifact-rows.js";

/** Runs the synchronous driver call inside a promise, so its throws become rejections. */
function later<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

const INSERT = `INSERT INTO artifacts (${ARTIFACT_COLUMNS.join(", ")})
  VALUES (${ARTIFACT_COLUMNS.map(() => "?").join(", ")}) ${ARTIFACT_UPSERT}`;

/** The artifacts table on SQLite; timestamps are ISO 8601 text, which sorts as time does. */
export class SqliteArtifacts implements ArtifactIndex {
  constructor(private readonly db: Database.Database) {}

  saveArtifacts(records: readonly ArtifactRecord[]): Promise<void> {
    return later(() => {
      const insert = this.db.prepare(INSERT);
      this.db.transaction(() => {
        for (const record of records) insert.run(...encodeArtifact(record));
      })();
    });
  }

  listArtifacts(repo: string, sha: string, now: string): Promise<ArtifactRecord[]> {
    return later(() =>
      this.db
        .prepare(
          `SELECT * FROM artifacts WHERE repo = ? AND sha = ? AND expires_at > ? ORDER BY name`,
        )
        .all(repo, sha, now)
        .map(decodeArtifact),
    );
  }

  deleteExpiredArtifacts(now: string): Promise<number> {
    return later(
      () => this.db.prepare("DELETE FROM artifacts WHERE expires_at <= ?").run(now).changes,
    );
  }

  referencedDigests(): Promise<Set<string>> {
    return later(() => {
      const digests = this.db.prepare("SELECT DISTINCT sha256 FROM artifacts").pluck().all();
      return new Set(digests.filter((d): d is string => typeof d === "string"));
    });
  }
}
