import { createWriteStream, type WriteStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { Redactor } from "./redact.js";

/** A line is held until its end so a secret split across chunks is still masked whole. */
const MAX_HELD_LINE = 64 * 1024;

export interface JobLogOptions {
  readonly file: string;
  readonly redactor: Redactor;
  readonly tailBytes: number;
  /** job.log stops growing here (a runaway process); the tail keeps following. */
  readonly maxFileBytes: number;
}

/** Receives one stream of a process (stdout or stderr) in chunks. */
export interface LogSink {
  write(chunk: Buffer): void;
  /** Writes a held partial line; call once the stream has ended. */
  end(): void;
}

/**
 * The job's log: every line redacted, written in full to job.log, and the last `tailBytes`
 * kept in memory for the result.
 */
export class JobLog {
  readonly #options: JobLogOptions;
  readonly #file: WriteStream;
  readonly #tail: Buffer[] = [];
  #tailSize = 0;
  #fileSize = 0;
  #truncated = false;

  constructor(options: JobLogOptions) {
    this.#options = options;
    this.#file = createWriteStream(options.file, { flags: "w", mode: 0o640 });
    // A write error must not crash the runner; the tail still reaches the result.
    this.#file.on("error", () => undefined);
  }

  /** Masks the job's secrets in text that leaves the runner by another way than the log. */
  redact(text: string): string {
    return this.#options.redactor.redact(text);
  }

  /** Writes whole lines of our own (step headers, notes). */
  line(text: string): void {
    this.#append(`${this.#options.redactor.redact(text)}\n`);
  }

  sink(): LogSink {
    const decoder = new StringDecoder("utf8");
    let held = "";
    const redactor = this.#options.redactor;
    return {
      write: (chunk) => {
        held += decoder.write(chunk);
        const lastNewline = held.lastIndexOf("\n");
        if (lastNewline !== -1) {
          this.#append(redactor.redact(held.slice(0, lastNewline + 1)));
          held = held.slice(lastNewline + 1);
        }
        if (held.length > MAX_HELD_LINE) {
          const { emit, rest } = redactor.redactPrefix(held);
          this.#append(emit);
          held = rest;
        }
      },
      end: () => {
        held += decoder.end();
        if (held !== "") this.#append(`${redactor.redact(held)}\n`);
        held = "";
      },
    };
  }

  /** The last `tailBytes` of the log, starting at a line boundary when one is in reach. */
  tail(): string {
    const all = Buffer.concat(this.#tail);
    const limit = this.#options.tailBytes;
    if (all.length <= limit) return all.toString("utf8");
    let start = all.length - limit;
    if (all[start - 1] !== 0x0a) {
      const newline = all.indexOf(0x0a, start);
      if (newline !== -1 && newline + 1 < all.length) start = newline + 1;
      // One line longer than the tail: skip UTF-8 continuation bytes rather than mangle one.
      else while (start < all.length && ((all[start] ?? 0) & 0xc0) === 0x80) start += 1;
    }
    return all.subarray(start).toString("utf8");
  }

  async close(): Promise<void> {
    if (this.#file.closed) return;
    await new Promise<void>((done) => {
      this.#file.end(() => {
        done();
      });
    });
  }

  #append(text: string): void {
    if (text === "") return;
    const bytes = Buffer.from(text, "utf8");
    this.#toFile(bytes);
    this.#tail.push(bytes);
    this.#tailSize += bytes.length;
    while (
      this.#tail.length > 1 &&
      this.#tailSize - (this.#tail[0]?.length ?? 0) >= this.#options.tailBytes
    ) {
      this.#tailSize -= this.#tail.shift()?.length ?? 0;
    }
  }

  #toFile(bytes: Buffer): void {
    if (this.#truncated || this.#file.destroyed) return;
    if (this.#fileSize + bytes.length > this.#options.maxFileBytes) {
      this.#truncated = true;
      this.#file.write(`\n[pylot] job.log stops here (${this.#options.maxFileBytes} bytes)\n`);
      return;
    }
    this.#fileSize += bytes.length;
    this.#file.write(bytes);
  }
}
