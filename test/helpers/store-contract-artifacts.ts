import { describe, expect, it } from "vitest";
import type { ArtifactRecord, Store } from "../../src/engine/ports.js";

/** The artifacts half of the Store contract (migration 5); `store` is the suite's fresh store. */

const REPO = "octo/app";
const SHA = "d".repeat(40);
const NOW = "2024-06-01T12:00:00.000Z";

export function artifactRecord(
  name: string,
  overrides: Partial<ArtifactRecord> = {},
): ArtifactRecord {
  return {
    repo: REPO,
    sha: SHA,
    name,
    kind: name.endsWith(".whl") ? "wheel" : "sdist",
    size: 4_294_967_296 + name.length,
    sha256: name.length.toString(16).padStart(64, "0"),
    job: "p1:build",
    createdAt: "2024-06-01T10:00:00.000Z",
    expiresAt: "2024-07-01T10:00:00.000Z",
    ...overrides,
  };
}

export function describeArtifactContract(current: () => Store): void {
  describe("artifacts", () => {
    it("lists a commit's artifacts by name, exactly as saved (sizes past 4 GiB too)", async () => {
      const index = current().artifacts;
      const wheel = artifactRecord("app-1.0-py3-none-any.whl");
      const sdist = artifactRecord("app-1.0.tar.gz");
      const otherCommit = artifactRecord("app-0.9.tar.gz", { sha: "e".repeat(40) });

      await index.saveArtifacts([sdist, wheel, otherCommit]);

      expect(await index.listArtifacts(REPO, SHA, NOW)).toEqual([wheel, sdist]);
      expect(await index.listArtifacts("octo/other", SHA, NOW)).toEqual([]);
    });

    it("replaces a name's row when the commit is built again", async () => {
      const index = current().artifacts;
      const first = artifactRecord("app-1.0.tar.gz");
      const rebuilt = artifactRecord("app-1.0.tar.gz", {
        sha256: "f".repeat(64),
        size: 12,
        job: "p2:build",
        createdAt: "2024-06-01T11:00:00.000Z",
        expiresAt: "2024-07-01T11:00:00.000Z",
      });

      await index.saveArtifacts([first]);
      await index.saveArtifacts([rebuilt]);

      expect(await index.listArtifacts(REPO, SHA, NOW)).toEqual([rebuilt]);
      expect(await index.referencedDigests()).toEqual(new Set(["f".repeat(64)]));
    });

    it("hides expired rows, then deletes exactly them", async () => {
      const index = current().artifacts;
      const live = artifactRecord("app-1.0-py3-none-any.whl");
      const expired = artifactRecord("app-1.0.tar.gz", { expiresAt: NOW });

      await index.saveArtifacts([live, expired]);
      const listed = await index.listArtifacts(REPO, SHA, NOW);
      const deleted = await index.deleteExpiredArtifacts(NOW);
      const again = await index.deleteExpiredArtifacts(NOW);

      expect(listed).toEqual([live]);
      expect([deleted, again]).toEqual([1, 0]);
      expect(await index.referencedDigests()).toEqual(new Set([live.sha256]));
    });

    it("names each referenced digest once, however many rows share it", async () => {
      const index = current().artifacts;
      const shared = "1".repeat(64);

      await index.saveArtifacts([
        artifactRecord("app-1.0.tar.gz", { sha256: shared }),
        artifactRecord("app-1.0.tar.gz", { sha256: shared, sha: "e".repeat(40) }),
      ]);

      expect(await index.referencedDigests()).toEqual(new Set([shared]));
    });
  });
}
