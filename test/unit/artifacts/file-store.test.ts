import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ArtifactFiles,
  ArtifactIntegrityError,
  retentionMs,
  sweepArtifacts,
  writeVerified,
} from "../../../src/artifacts/index.js";
import type { ArtifactRecord, Store } from "../../../src/engine/ports.js";
import { SqliteStore } from "../../../src/store/index.js";
import { silentLogger } from "../../helpers/engine.js";

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function chunksOf(...parts: Buffer[]): Readable {
  return Readable.from(parts);
}

let dir: string;
let files: ArtifactFiles;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylot-artifacts-"));
  files = new ArtifactFiles(join(dir, "artifacts"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const WHEEL = Buffer.from("PK\u0003\u0004 a wheel's bytes");
const SDIST = Buffer.from("\u001f\u008b an sdist's bytes");

describe("writeVerified", () => {
  it("writes bytes that hash to what was recorded, in one piece", async () => {
    const dest = join(dir, "out", "app.whl");

    await writeVerified(chunksOf(WHEEL.subarray(0, 5), WHEEL.subarray(5)), dest, {
      sha256: digest(WHEEL),
      size: WHEEL.length,
    });

    expect(await readFile(dest)).toEqual(WHEEL);
  });

  it.each([
    ["other bytes of the same size", Buffer.from("X".repeat(WHEEL.length)), /SHA-256 is /],
    ["fewer bytes", WHEEL.subarray(0, 4), /got 4 bytes, expected/],
    ["more bytes than recorded", Buffer.concat([WHEEL, WHEEL]), /more than the expected/],
  ])("refuses %s and leaves nothing behind", async (_what, bytes, message) => {
    const dest = join(dir, "out", "app.whl");

    const writing = writeVerified(chunksOf(bytes), dest, {
      sha256: digest(WHEEL),
      size: WHEEL.length,
    });

    await expect(writing).rejects.toThrow(ArtifactIntegrityError);
    await expect(writing).rejects.toThrow(message);
    expect(await readdir(join(dir, "out"))).toEqual([]);
  });
});

describe("ArtifactFiles", () => {
  it("keeps a file under its digest and serves the same bytes back", async () => {
    const source = join(dir, "app-1.0-py3-none-any.whl");
    await writeFile(source, WHEEL);

    const path = await files.putFile(source, { sha256: digest(WHEEL), size: WHEEL.length });

    expect(path).toBe(join(dir, "artifacts", digest(WHEEL).slice(0, 2), digest(WHEEL)));
    expect(await readFile(path)).toEqual(WHEEL);
    expect(await files.sizeOf(digest(WHEEL))).toBe(WHEEL.length);
  });

  it("refuses a file that changed since its digest was recorded", async () => {
    const source = join(dir, "app.whl");
    await writeFile(source, Buffer.from("tampered after the build"));

    const putting = files.putFile(source, { sha256: digest(WHEEL), size: WHEEL.length });

    await expect(putting).rejects.toThrow(ArtifactIntegrityError);
    expect(await files.sizeOf(digest(WHEEL))).toBeUndefined();
  });

  it("does not read the source again when it already has the bytes", async () => {
    const expected = { sha256: digest(WHEEL), size: WHEEL.length };
    await files.put(chunksOf(WHEEL), expected);

    const path = await files.putFile(join(dir, "gone-since.whl"), expected);

    expect(await readFile(path)).toEqual(WHEEL);
  });

  it("refuses a path that is not a digest", () => {
    expect(() => files.pathOf("../../etc/passwd")).toThrow(TypeError);
  });
});

describe("retention", () => {
  let store: Store;
  beforeEach(() => {
    store = SqliteStore.open({ path: ":memory:", logger: silentLogger });
  });
  afterEach(async () => {
    await store.close();
  });

  function record(name: string, bytes: Buffer, expiresAt: string): ArtifactRecord {
    return {
      repo: "octo/app",
      sha: "a".repeat(40),
      name,
      kind: name.endsWith(".whl") ? "wheel" : "sdist",
      size: bytes.length,
      sha256: digest(bytes),
      job: "p1:build",
      createdAt: "2024-05-01T00:00:00.000Z",
      expiresAt,
    };
  }

  async function keep(bytes: Buffer, modified: Date): Promise<string> {
    const path = await files.put(chunksOf(bytes), { sha256: digest(bytes), size: bytes.length });
    await utimes(path, modified, modified);
    return path;
  }

  it("deletes expired rows and the files nothing names any more, sparing fresh files", async () => {
    const now = new Date("2024-06-01T00:00:00.000Z");
    const old = new Date("2024-05-01T00:00:00.000Z");
    const kept = await keep(WHEEL, old);
    const expired = await keep(SDIST, old);
    const fresh = await keep(Buffer.from("written a minute ago, no row yet"), now);
    await store.artifacts.saveArtifacts([
      record("app-1.0-py3-none-any.whl", WHEEL, "2024-07-01T00:00:00.000Z"),
      record("app-1.0.tar.gz", SDIST, "2024-05-31T00:00:00.000Z"),
    ]);

    const outcome = await sweepArtifacts({ index: store.artifacts, files, now });

    expect(outcome).toEqual({ rows: 1, files: 1 });
    expect(await files.sizeOf(digest(WHEEL))).toBe(WHEEL.length);
    await expect(readFile(expired)).rejects.toThrow(/ENOENT/);
    expect(await readFile(kept)).toEqual(WHEEL);
    expect((await readFile(fresh)).length).toBeGreaterThan(0);
    const left = await store.artifacts.listArtifacts("octo/app", "a".repeat(40), now.toISOString());
    expect(left.map((r) => r.name)).toEqual(["app-1.0-py3-none-any.whl"]);
  });

  it("removes leftovers of an interrupted write once they are old", async () => {
    const now = new Date("2024-06-01T00:00:00.000Z");
    const path = await keep(WHEEL, now);
    const leftover = join(path, "..", ".incoming-crashed");
    await writeFile(leftover, "half a file");
    await utimes(leftover, new Date("2024-05-01"), new Date("2024-05-01"));

    const outcome = await sweepArtifacts({ index: store.artifacts, files, now });

    expect(outcome.files).toBe(1);
    await expect(readFile(leftover)).rejects.toThrow(/ENOENT/);
    expect(await readFile(path)).toEqual(WHEEL);
  });

  it.each([
    [undefined, 30],
    ["", 30],
    ["7", 7],
    ["0.5", 0.5],
  ])("PYLOT_ARTIFACT_RETENTION_DAYS=%j keeps artifacts %d days", (setting, days) => {
    expect(retentionMs(setting)).toBe(days * 86_400_000);
  });

  it.each(["0", "-3", "thirty", "1e999"])("PYLOT_ARTIFACT_RETENTION_DAYS=%j is refused", (bad) => {
    expect(() => retentionMs(bad)).toThrow(/must be a positive number of days, such as 30/);
  });
});
