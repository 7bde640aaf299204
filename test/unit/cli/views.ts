import { Writable } from "node:stream";
import type { JobRecord, JobState, PipelineView } from "../../../src/engine/ports.js";
import type { Conclusion, JobKind, JobResult } from "../../../src/pipeline/types.js";

/** Small synthetic views for the CLI's rendering tests; times are offsets from T0 in ms. */

export const T0 = Date.parse("2024-05-01T10:00:00.000Z");
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

export interface JobOptions {
  readonly name?: string;
  readonly kind?: JobKind;
  readonly state?: JobState;
  readonly conclusion?: Conclusion | null;
  readonly attempt?: number;
  readonly startedMs?: number;
  readonly finishedMs?: number;
  readonly result?: Partial<JobResult>;
}

export function job(key: string, options: JobOptions = {}): JobRecord {
  const name = options.name ?? key;
  const startedAt = options.startedMs === undefined ? null : at(options.startedMs);
  const finishedAt = options.finishedMs === undefined ? null : at(options.finishedMs);
  const result: JobResult | null =
    options.result === undefined
      ? null
      : {
          jobId: `p1:${key}`,
          attempt: options.attempt ?? 1,
          conclusion: options.conclusion ?? "success",
          summary: "",
          startedAt: startedAt ?? at(0),
          finishedAt: finishedAt ?? at(0),
          logTail: "",
          steps: [],
          reports: {},
          timings: {},
          ...options.result,
        };
  return {
    id: `p1:${key}`,
    pipelineId: "p1",
    spec: {
      key,
      name,
      kind: options.kind ?? "lint",
      leg: { python: "3.12", os: "linux", extra: {} },
      needs: [],
      systemSitePackages: false,
      steps: [],
      timeoutMs: 60_000,
      matrix: false,
    },
    state: options.state ?? (options.conclusion === undefined ? "pending" : "completed"),
    attempt: options.attempt ?? 1,
    conclusion: options.conclusion ?? null,
    result,
    startedAt,
    finishedAt,
    external: {},
  };
}

export function view(
  jobs: readonly JobRecord[],
  options: { conclusion?: Conclusion | null; updatedMs?: number } = {},
): PipelineView {
  const conclusion = options.conclusion ?? null;
  return {
    pipeline: {
      id: "p1",
      trigger: { source: "cli", event: "local", sha: "a".repeat(40), ref: "HEAD" },
      plan: { jobs: jobs.map((j) => j.spec), failFast: true, warnings: [] },
      source: { kind: "dir", path: "/work/project" },
      status: conclusion === null ? "running" : "completed",
      conclusion,
      createdAt: at(0),
      updatedAt: at(options.updatedMs ?? 0),
      cancelReason: null,
    },
    jobs,
  };
}

/** A writable that keeps everything written to it, with an optional terminal width. */
export function sink(columns?: number): Writable & { text(): string; columns?: number } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, {
    text: () => chunks.join(""),
    ...(columns === undefined ? {} : { columns }),
  });
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** What a terminal shows after the last redraw of a live block. */
export function lastFrame(text: string): string[] {
  const frames = text.split(/\u001b\[\d+A/);
  return stripAnsi(frames[frames.length - 1] ?? "")
    .split("\n")
    .filter((line) => line !== "");
}
