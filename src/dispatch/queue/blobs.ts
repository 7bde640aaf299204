import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { ArtifactIntegrityError, type Expected } from "../../artifacts/verified-write.js";
import { formatSize } from "../../runner/artifacts.js";
import type { QueueConnection } from "./connection.js";
import { pylotKeys } from "./names.js";

/** Largest file that may cross Redis: Redis holds it whole until it expires. */
export const BLOB_MAX_BYTES = 100 * 1024 * 1024;
/** How long a blob waits to be taken: a job may wait this long for a runner, or a result for a bot. */
export const BLOB_TTL_S = 24 * 3600;
/** Bytes per Redis command: no command moves (or buffers) more than this. */
const CHUNK_BYTES = 1024 * 1024;

export type BlobProblem = "too-large" | "missing" | "unreadable";

/** A file that cannot cross the queue, and why, in words for a job summary. */
export class BlobError extends Error {
  readonly problem: BlobProblem;

  constructor(problem: BlobProblem, message: string) {
    super(message);
    this.name = "BlobError";
    this.problem = problem;
  }
}

export interface BlobLimits {
  /** Default BLOB_MAX_BYTES. */
  readonly maxBytes?: number;
  /** Default BLOB_TTL_S. */
  readonly ttlSeconds?: number;
}

export interface BlobStoreOptions extends BlobLimits {
  readonly connection: QueueConnection;
  readonly prefix: string;
  readonly logger: Logger;
}

/** A file by content: its SHA-256 names the blob. */
export type BlobFile = Expected & { readonly name: string };

/**
 * Files carried between a runner host and the bot through Redis (`<prefix>::pylot:blob:<sha256>`,
 * with a TTL and a size cap), so runners need no shared disk and no route to the bot. Written
 * in 1 MiB appends to a temporary key renamed when complete and verified, read back in 1 MiB
 * ranges: neither side holds a whole file in memory, and a reader never sees half a blob. Its
 * own ioredis connection, since BullMQ's client speaks strings only.
 */
export class BlobStore {
  readonly maxBytes: number;
  readonly ttlSeconds: number;
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(options: BlobStoreOptions) {
    this.maxBytes = options.maxBytes ?? BLOB_MAX_BYTES;
    this.ttlSeconds = options.ttlSeconds ?? BLOB_TTL_S;
    this.#prefix = options.prefix;
    this.#client = connect(options.connection);
    this.#client.on("error", (error: Error) => {
      options.logger.warn({ err: error }, "blob connection error");
    });
  }

  key(sha256: string): string {
    return pylotKeys.blob(this.#prefix, sha256);
  }

  /** Sends a local file; a blob of the same content already there only gets a fresh TTL. */
  async upload(path: string, file: BlobFile): Promise<void> {
    if (file.size > this.maxBytes)
      throw new BlobError(
        "too-large",
        `it is ${formatSize(file.size)}, over the ${formatSize(this.maxBytes)} a file may cross the queue`,
      );
    const key = this.key(file.sha256);
    if ((await this.#stored(key)) === file.size) {
      await this.#client.expire(key, this.ttlSeconds);
      return;
    }
    const temp = `${key}:upload:${randomUUID()}`;
    try {
      await this.#client.set(temp, "", "EX", this.ttlSeconds);
      await this.#append(path, temp, file);
      await this.#client.multi().rename(temp, key).expire(key, this.ttlSeconds).exec();
    } catch (error) {
      await this.#client.del(temp).catch(() => 0);
      if (error instanceof Error && "code" in error && error.code === "ENOENT")
        throw new BlobError("unreadable", "the file is missing");
      throw error;
    }
  }

  /** The blob's bytes in order; a BlobError when it is missing, expired or not that size. */
  async *chunks(file: BlobFile): AsyncGenerator<Buffer> {
    const key = this.key(file.sha256);
    const length = await this.#stored(key);
    if (length === undefined)
      throw new BlobError(
        "missing",
        `it is not in Redis (never sent, or expired after ${this.ttlSeconds} s)`,
      );
    if (length !== file.size)
      throw new BlobError("missing", `Redis holds ${length} bytes of it, not ${file.size}`);
    for (let start = 0; start < length; start += CHUNK_BYTES) {
      const end = Math.min(start + CHUNK_BYTES, length) - 1;
      const chunk = await this.#client.getrangeBuffer(key, start, end);
      if (chunk.length !== end - start + 1)
        throw new BlobError("missing", "it expired from Redis while it was read");
      yield chunk;
    }
  }

  async close(): Promise<void> {
    if (this.#client.status === "wait" || this.#client.status === "end") {
      this.#client.disconnect();
      return;
    }
    await this.#client.quit().catch(() => {
      this.#client.disconnect();
    });
  }

  /** The blob's length, or undefined when there is none. */
  async #stored(key: string): Promise<number | undefined> {
    const [length, exists] = await Promise.all([
      this.#client.strlen(key),
      this.#client.exists(key),
    ]);
    return exists === 0 ? undefined : length;
  }

  async #append(path: string, temp: string, file: BlobFile): Promise<void> {
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > file.size) throw new ArtifactIntegrityError("the file grew after it was built");
      hash.update(bytes);
      await this.#client.append(temp, bytes);
    }
    const digest = hash.digest("hex");
    if (size !== file.size || digest !== file.sha256)
      throw new ArtifactIntegrityError("the file changed after it was built");
  }
}

/** ioredis from a Redis URL or BullMQ's connection options; connects on first use. */
function connect(connection: QueueConnection): Redis {
  const base = { lazyConnect: true, maxRetriesPerRequest: 3 };
  if (typeof connection === "string") return new Redis(connection, base);
  const { url, ...rest } = connection;
  return typeof url === "string"
    ? new Redis(url, { ...rest, ...base })
    : new Redis({ ...rest, ...base });
}
