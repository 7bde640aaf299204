import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { once } from "node:events";

/** What a file must be: its SHA-256 (hex) and size in bytes. */
export interface Expected {
  readonly sha256: string;
  readonly size: number;
}

/**
 * Bytes that are not what was recorded: a file changed after it was built, a transfer cut
 * short, a blob that expired. The message says which file and how it differs.
 */
export class ArtifactIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArtifactIntegrityError";
  }
}

/** Bytes from any source: a file's read stream, a Redis blob read in ranges. */
export type Chunks = AsyncIterable<Uint8Array>;

/**
 * Writes `chunks` to `dest` only when they hash to `expected`: they go to a temporary file
 * beside it first (same folder, so the rename is atomic), and the rename happens after the
 * check. A reader of `dest` never sees a partial or wrong file. Refuses more bytes than
 * expected as soon as they arrive, so a hostile source cannot fill the disk.
 */
export async function writeVerified(
  chunks: Chunks,
  dest: string,
  expected: Expected,
  options: { readonly mode?: number } = {},
): Promise<void> {
  const folder = dirname(dest);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.incoming-${randomUUID()}`);
  try {
    const digest = await writeHashed(chunks, temp, expected.size, options.mode ?? 0o640);
    if (digest.size !== expected.size)
      throw new ArtifactIntegrityError(`got ${digest.size} bytes, expected ${expected.size}`);
    if (digest.sha256 !== expected.sha256)
      throw new ArtifactIntegrityError(`SHA-256 is ${digest.sha256}, expected ${expected.sha256}`);
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function writeHashed(chunks: Chunks, path: string, limit: number, mode: number) {
  const hash = createHash("sha256");
  const out = createWriteStream(path, { mode });
  let size = 0;
  try {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > limit)
        throw new ArtifactIntegrityError(`more than the expected ${limit} bytes arrived`);
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } finally {
    // Closed before the caller removes the file: a stream still opening would create it after.
    if (!out.closed) {
      const closed = once(out, "close");
      out.destroy();
      await closed;
    }
  }
  return { sha256: hash.digest("hex"), size };
}

/**
 * A file's bytes, opened only when iterated. A stream opened before `writeVerified` awaits
 * would emit its error (a missing file) with no listener yet: an uncaught exception.
 */
export async function* lazyRead(path: string): Chunks {
  for await (const chunk of createReadStream(path)) yield chunk as Buffer;
}
