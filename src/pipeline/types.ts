import { z } from "zod";

/** What started a pipeline. Pure data: never interpolated into a command line. */
export interface Trigger {
  /** Where results go: a terminal (the CLI) or a GitHub repository. */
  readonly source: "cli" | "github";
  readonly event: "local" | "push" | "pull_request" | "check_suite" | "rerun";
  readonly sha: string;
  readonly ref: string;
  /** "owner/name" for GitHub pipelines. */
  readonly repo?: string;
  readonly pullRequest?: number;
  readonly installationId?: number;
}

/** One cell of the test matrix. */
export interface Leg {
  readonly python: string;
  readonly os: string;
  /** Extra axes from `matrix.include` (for example `{ django: "4.2" }`). */
  readonly extra: Readonly<Record<string, string>>;
}

export const JOB_KINDS = ["lint", "typecheck", "security", "test", "coverage", "build"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A unit of work the runner understands. Steps carry only config values, never payload data. */
export type Step =
  | { readonly kind: "flake8"; readonly args: readonly string[] }
  | { readonly kind: "black"; readonly args: readonly string[] }
  | { readonly kind: "pylint"; readonly args: readonly string[] }
  | { readonly kind: "mypy"; readonly paths: readonly string[]; readonly args: readonly string[] }
  | {
      readonly kind: "bandit";
      readonly paths: readonly string[];
      readonly failOn: "none" | "low" | "medium" | "high";
      readonly confidence: "low" | "medium" | "high";
      readonly args: readonly string[];
    }
  | { readonly kind: "test"; readonly run: string; readonly coverage: boolean }
  | { readonly kind: "wheel" };

export type StepKind = Step["kind"];

/** A planned job: what to run, where, after what. */
export interface JobSpec {
  /** Stable within a pipeline: "lint", "test-3.12-linux", "coverage". */
  readonly key: string;
  /** The display name: "lint", "test (3.12, linux)". Check runs prefix it with "Pylot / ". */
  readonly name: string;
  readonly kind: JobKind;
  readonly leg: Leg;
  /** Keys of jobs that must succeed first. */
  readonly needs: readonly string[];
  /** Install commands; absent means "detect from the project" at run time. */
  readonly install?: readonly string[];
  readonly systemSitePackages: boolean;
  readonly steps: readonly Step[];
  readonly timeoutMs: number;
  /** True for the legs of the test matrix (fail-fast and max-parallel apply to them). */
  readonly matrix: boolean;
  /**
   * Jobs the engine evaluates itself, without a runner (the coverage gate reads the
   * coverage leg's result).
   */
  readonly evaluate?: { readonly kind: "coverage-gate"; readonly minimum?: number };
}

export interface Pipeline {
  readonly jobs: readonly JobSpec[];
  readonly failFast: boolean;
  /** Absent: no limit beyond the dispatcher's concurrency. */
  readonly maxParallel?: number;
  /** Things the user should know about the plan (a coverage selector that matched no leg). */
  readonly warnings: readonly string[];
}

export const CONCLUSIONS = [
  "success",
  "failure",
  "cancelled",
  "timed_out",
  "skipped",
  "neutral",
] as const;
export type Conclusion = (typeof CONCLUSIONS)[number];

export const JOB_STATUSES = ["queued", "in_progress", "completed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const StepResultSchema = z.object({
  name: z.string(),
  conclusion: z.enum(CONCLUSIONS),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

/** What a runner sends back. Validated at the boundary: runners may live on other hosts. */
export const JobResultSchema = z.object({
  jobId: z.string().min(1),
  attempt: z.number().int().positive(),
  conclusion: z.enum(CONCLUSIONS),
  /** One line for humans: "flake8 found problems", "Python 3.9 is not available …". */
  summary: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Redacted, capped tail of the job log. */
  logTail: z.string(),
  steps: z.array(StepResultSchema),
  /** Report files kept with the result: name → absolute path on the runner host. */
  reports: z.record(z.string(), z.string()),
  /** Total line coverage in percent, when the job measured it. */
  coverage: z.number().min(0).max(100).optional(),
  /** Where the time went, in milliseconds: venv, install, steps, reports. */
  timings: z.record(z.string(), z.number().nonnegative()),
  /** The interpreter that ran the job ("3.12.1 at /path"), when one was found. */
  interpreter: z.string().optional(),
});
export type JobResult = z.infer<typeof JobResultSchema>;
