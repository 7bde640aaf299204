import { parentPort, workerData } from "node:worker_threads";
import type { ParseOptions, ReportKind } from "./model.js";
import { parseReport } from "./parse-report.js";

/** What `parseReportFile` hands a worker: the report's bytes are transferred, not copied. */
export interface WorkerRequest {
  readonly kind: ReportKind;
  readonly bytes: Uint8Array;
  readonly options: ParseOptions;
}

// workerData is our own message from parse-file.ts, built from typed values.
const request = workerData as WorkerRequest;
// As a JSON string: the main thread's JSON.parse of it costs a third of what receiving the
// same object by structured clone does, and that part runs on the App's event loop.
parentPort?.postMessage(JSON.stringify(parseReport(request.kind, request.bytes, request.options)));
