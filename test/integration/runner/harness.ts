import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import type { DispatchRequest, SourceRef } from "../../../src/engine/ports.js";
import type { JobResult, JobSpec, Step } from "../../../src/pipeline/types.js";
import {
  createLocalExecutor,
  discoverInterpreters,
  type Interpreter,
  type LocalExecutorOptions,
} from "../../../src/runner/index.js";

/** Shared set-up of the runner's integration tests: real interpreters, real tools. */

export const silentLogger = pino({ level: "silent" });

export function fixture(name: string): string {
  return resolve(import.meta.dirname, "../../fixtures/projects", name);
}

export async function tempDir(prefix = "pylot-runner-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

let interpreters: Promise<Interpreter[]> | undefined;

/** The host's interpreter for a version; the tests name the versions this machine has. */
export async function interpreter(version: string): Promise<Interpreter> {
  interpreters ??= discoverInterpreters({});
  const found = (await interpreters).find((candidate) => candidate.version === version);
  if (found === undefined) throw new Error(`the test host has no Python ${version}`);
  return found;
}

export interface JobInput {
  readonly python: string;
  readonly steps: readonly Step[];
  readonly source?: SourceRef;
  readonly project?: string;
  /** Install commands; default none; "detect" leaves them to the runner. */
  readonly install?: readonly string[] | "detect";
  readonly systemSitePackages?: boolean;
  readonly timeoutMs?: number;
  readonly secrets?: Readonly<Record<string, string>>;
  readonly key?: string;
}

export const PIPELINE_ID = "pipe-1";

export function request(input: JobInput): DispatchRequest {
  const key = input.key ?? `job-${input.python}`;
  const spec: JobSpec = {
    key,
    name: `test (${input.python}, linux)`,
    kind: "test",
    leg: { python: input.python, os: "linux", extra: {} },
    needs: [],
    ...(input.install === "detect" ? {} : { install: input.install ?? [] }),
    systemSitePackages: input.systemSitePackages ?? false,
    steps: input.steps,
    timeoutMs: input.timeoutMs ?? 120_000,
    matrix: true,
  };
  return {
    jobId: `${PIPELINE_ID}:${key}`,
    attempt: 1,
    pipelineId: PIPELINE_ID,
    spec,
    source: input.source ?? { kind: "dir", path: fixture(input.project ?? "ok") },
    sha: "0123456789abcdef0123456789abcdef01234567",
    ref: "refs/heads/main",
    secrets: input.secrets ?? {},
  };
}

export interface Run {
  readonly result: JobResult;
  readonly starts: number;
}

/** Runs one job on a fresh executor rooted in `workdir`. */
export async function runJob(
  workdir: string,
  job: DispatchRequest,
  options: { signal?: AbortSignal; executor?: Partial<LocalExecutorOptions> } = {},
): Promise<Run> {
  const executor = createLocalExecutor({ workdir, logger: silentLogger, ...options.executor });
  let starts = 0;
  const result = await executor.execute(job, {
    signal: options.signal ?? new AbortController().signal,
    onStart: () => {
      starts += 1;
    },
  });
  return { result, starts };
}

export function reportsDir(workdir: string, key: string): string {
  return join(workdir, "reports", PIPELINE_ID, key);
}

/** Job folders left in the workdir (there must be none once a job is over). */
export async function leftoverJobs(workdir: string): Promise<string[]> {
  return readdir(join(workdir, "jobs")).catch(() => []);
}

/** True while a process runs; a zombie (dead, not yet reaped by init) counts as gone. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
