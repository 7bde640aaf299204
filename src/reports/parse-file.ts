import { constants } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { limitsOf, mebibytes, reject } from "./input.js";
import type { ParseOptions, ParseResult, ReportKind, ReportLimits, ReportValues } from "./model.js";
import { parseReport } from "./parse-report.js";
import type { WorkerRequest } from "./worker.js";

export interface ParseFileOptions extends ParseOptions {
  /** Reports of at least this many bytes are parsed in a worker thread. Default 1 MiB. */
  readonly workerThreshold?: number;
  /** A worker still parsing after this is stopped and the report rejected. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Heap of the parsing worker, in MiB: a hostile report cannot exhaust the App's. A backstop
   * only (a report at the size cap needs about 100 MiB); default 512.
   */
  readonly workerHeapMb?: number;
}

const BYTES: Readonly<Record<ReportKind, keyof ReportLimits>> = {
  cobertura: "xmlBytes",
  junit: "xmlBytes",
  "coverage-json": "jsonBytes",
  bandit: "jsonBytes",
  flake8: "textBytes",
  pylint: "textBytes",
  mypy: "textBytes",
  black: "textBytes",
};

/**
 * Reads a report file written by a job (untrusted: size-capped before reading, regular files
 * only, never followed into a FIFO) and parses it; big reports are parsed in a worker thread
 * so the App's event loop keeps serving webhooks. The only I/O of the reports capability.
 */
export async function parseReportFile<K extends ReportKind>(
  path: string,
  kind: K,
  options: ParseFileOptions = {},
): Promise<ParseResult<ReportValues[K]>> {
  const limit = limitsOf(options)[BYTES[kind]];
  const read = await readCapped(path, limit);
  if (!read.ok) return reject(kind, read.why);
  const { workerThreshold = 1024 * 1024, timeoutMs = 30_000, workerHeapMb = 512 } = options;
  const parseOptions: ParseOptions = {
    ...(options.root === undefined ? {} : { root: options.root }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  };
  if (read.value.byteLength < workerThreshold) return parseReport(kind, read.value, parseOptions);
  return parseInWorker(
    { kind, bytes: read.value, options: parseOptions },
    { timeoutMs, workerHeapMb },
  );
}

type Read = { ok: true; value: Uint8Array<ArrayBuffer> } | { ok: false; why: string };

async function readCapped(path: string, limit: number): Promise<Read> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return { ok: false, why: "it is missing or cannot be read" };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, why: "it is not a regular file" };
    if (stat.size > limit) return { ok: false, why: `it is larger than ${mebibytes(limit)}` };
    // One byte more than the cap tells a file that grew since the stat.
    const bytes = new Uint8Array(Math.min(stat.size, limit) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(bytes, length, bytes.byteLength - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === bytes.byteLength) break;
    }
    if (length > limit) return { ok: false, why: `it is larger than ${mebibytes(limit)}` };
    return { ok: true, value: bytes.subarray(0, length) };
  } catch {
    return { ok: false, why: "it cannot be read" };
  } finally {
    await handle.close();
  }
}

type Request<K extends ReportKind> = WorkerRequest & {
  readonly kind: K;
  readonly bytes: Uint8Array<ArrayBuffer>;
};

interface WorkerLimits {
  readonly timeoutMs: number;
  readonly workerHeapMb: number;
}

async function parseInWorker<K extends ReportKind>(
  request: Request<K>,
  limits: WorkerLimits,
): Promise<ParseResult<ReportValues[K]>> {
  let worker: Worker;
  try {
    worker = new Worker(await workerEntry(), {
      workerData: request,
      // The bytes move to the worker instead of being copied; they are not used here again.
      transferList: [request.bytes.buffer],
      resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb },
      // The App's own flags (an --input-type, a --require) mean nothing to the parser.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
  } catch {
    return reject(request.kind, "no parser worker could be started");
  }
  return answerOf(worker, request.kind, limits);
}

/** The worker's one answer, or a rejection when it fails, runs out of memory or time. */
function answerOf<K extends ReportKind>(
  worker: Worker,
  kind: K,
  limits: WorkerLimits,
): Promise<ParseResult<ReportValues[K]>> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ParseResult<ReportValues[K]>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => {
      settle(reject(kind, `parsing it took longer than ${limits.timeoutMs / 1000} s`));
    }, limits.timeoutMs);
    worker.once("message", (json: unknown) => {
      // Our own worker's answer to our own request: a ParseResult as JSON (worker.ts).
      settle(
        typeof json === "string"
          ? (JSON.parse(json) as ParseResult<ReportValues[K]>)
          : reject(kind, "its parser answered nonsense"),
      );
    });
    worker.once("error", (error: Error & { code?: string }) => {
      const why =
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `parsing it needed more than ${limits.workerHeapMb} MiB`
          : "its parser failed";
      settle(reject(kind, why));
    });
    worker.once("exit", () => {
      settle(reject(kind, "its parser stopped without an answer"));
    });
  });
}

/**
 * The worker's entry. Built (`dist/`), it is worker.js beside this file. Run from source
 * (tests, `tsx bench/…`), Node cannot load worker.ts itself: a small bootstrap registers
 * tsx's loader in the worker first.
 */
async function workerEntry(): Promise<URL> {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new URL("./worker.js", self);
  const require = createRequire(self);
  const manifestPath = require.resolve("tsx/package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as {
    exports?: Record<string, { import?: { default?: string } } | string>;
  };
  const api = manifest.exports?.["./esm/api"];
  const relative = typeof api === "object" ? api.import?.default : undefined;
  if (relative === undefined) throw new Error("tsx has no ESM API entry");
  const loader = pathToFileURL(join(dirname(manifestPath), relative)).href;
  const target = new URL("./worker.ts", self).href;
  const code = `const { register } = await import(${JSON.stringify(loader)}); register(); await import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
