import { createReadStream, type ReadStream } from "node:fs";
import { readdir, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { lazyRead, writeVerified, type Chunks, type Expected } from "./verified-write.js";

const DIGEST = /^[0-9a-f]{64}$/;

/** A kept file as the sweep sees it. */
export interface StoredFile {
  readonly sha256: string;
  readonly path: string;
  readonly modifiedMs: number;
}

/**
 * The engine's copies of build artifacts, named by content: `<root>/<aa>/<sha256>`. A file is
 * written once, verified against its recorded SHA-256 before it appears (temp file + rename),
 * and never changed; two builds of the same bytes share one file. Leftover temp files of a
 * crashed write are `.incoming-*` in the same folders, removed by the sweep.
 */
export class ArtifactFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Where the file of a digest lives (whether or not it is there). */
  pathOf(sha256: string): string {
    if (!DIGEST.test(sha256)) throw new TypeError(`not a SHA-256 digest: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** The file's size when it is there, else undefined. */
  async sizeOf(sha256: string): Promise<number | undefined> {
    const info = await stat(this.pathOf(sha256)).catch(() => undefined);
    return info?.isFile() === true ? info.size : undefined;
  }

  /**
   * Keeps `chunks` as the file of `expected.sha256`; returns its path. A file already there is
   * only touched (the sweep spares recently used files), so a second copy costs no write.
   * Throws ArtifactIntegrityError when the bytes are not the expected ones.
   */
  async put(chunks: Chunks, expected: Expected): Promise<string> {
    const path = this.pathOf(expected.sha256);
    if ((await this.sizeOf(expected.sha256)) === expected.size) {
      const now = new Date();
      await utimes(path, now, now);
      return path;
    }
    await writeVerified(chunks, path, expected);
    return path;
  }

  /** Keeps a local file (`put` reading it only when the store lacks it). */
  putFile(source: string, expected: Expected): Promise<string> {
    return this.put(lazyRead(source), expected);
  }

  open(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
  }

  remove(path: string): Promise<void> {
    return rm(path, { force: true });
  }

  /** Every kept file, and every leftover temp file (`sha256` empty), for the sweep. */
  async *list(): AsyncGenerator<StoredFile> {
    for (const folder of await readdir(this.root).catch(() => [])) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      const dir = join(this.root, folder);
      for (const name of await readdir(dir).catch(() => [])) {
        const path = join(dir, name);
        const info = await stat(path).catch(() => undefined);
        if (info === undefined || !info.isFile()) continue;
        yield { sha256: DIGEST.test(name) ? name : "", path, modifiedMs: info.mtimeMs };
      }
    }
  }
}
