import { z } from "zod";
import {
  CoverageReportSchema,
  CoverageTotalsSchema,
  FINDING_TOOLS,
  FindingSchema,
  TestReportSchema,
} from "../reports/model.js";

/** What started a pipeline. Pure data: never interpolated into a command line. */
export interface Trigger {
  /** Where results go: a terminal (the CLI) or a GitHub repository. */
  readonly source: "cli" | "github";
  /** `deploy`: a ChatOps deployment's one-job pipeline (never a commit's CI pipeline). */
  readonly event: "local" | "push" | "pull_request" | "check_suite" | "rerun" | "deploy";
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

export const JOB_KINDS = [
  "lint",
  "typecheck",
  "security",
  "test",
  "coverage",
  "build",
  "integration",
  "deploy",
] as const;
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
  | { readonly kind: "wheel" }
  /** `docker build` of `build.docker`, on a runner with a Docker engine; paths are the repo's. */
  | { readonly kind: "docker"; readonly file: string; readonly context: string }
  /**
   * `integration.run` in a fresh venv holding only the build job's wheel, with the configured
   * services started around it (best effort).
   */
  | {
      readonly kind: "integration";
      readonly run: string;
      readonly services: readonly ServiceSpec[];
    }
  /**
   * An environment's `run` command from the default branch's config, in the job's shell, with
   * PYLOT_ENVIRONMENT and PYLOT_DEPLOYMENT_ID set. The deployment id is GitHub's, not payload text.
   */
  | {
      readonly kind: "deploy";
      readonly run: string;
      readonly environment: string;
      readonly deploymentId: number;
      /**
       * The names of the secrets the job was given (never their values), so a job resumed
       * after a restart gets the same ones back and no other environment's.
       */
      readonly secretNames?: readonly string[] | undefined;
      /**
       * The build's kept files the job is handed (`PYLOT_ARTIFACTS`, `PYLOT_WHEEL`), named by
       * content: the engine finds their bytes by SHA-256, the runner checks them after copying.
       */
      readonly artifacts?: readonly Artifact[] | undefined;
      /** The image id a `build.docker` job recorded (`PYLOT_IMAGE`). */
      readonly image?: string | undefined;
    };

export type StepKind = Step["kind"];

/** A helper process of an integration job: `start` in the background, `ready` polled. */
export interface ServiceSpec {
  readonly name: string;
  readonly start: string;
  readonly ready: string;
  readonly timeoutSeconds: number;
}

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
  readonly evaluate?: {
    readonly kind: "coverage-gate";
    readonly minimum?: number;
    /** `test.coverage.diff-minimum`: least coverage of a pull request's changed lines. */
    readonly diffMinimum?: number;
  };
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

const percentage = z.number().min(0).max(100);
const count = z.number().int().nonnegative();

/** A pull request's changed lines against coverage (reports' `DiffCoverage`). */
export const DiffCoverageSchema = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      executable: count,
      covered: count,
      uncovered: z.array(z.number().int().positive()),
      percent: percentage.exactOptional(),
    }),
  ),
  totals: z.object({ executable: count, covered: count, percent: percentage.exactOptional() }),
});

/** The parsed reports of a job, as plain JSON: they cross the queue inside the result. */
const ReportFieldsShape = {
  /** Lint, type and security findings, most severe first, at most RESULT_FINDINGS_CAP. */
  findings: z.array(FindingSchema).optional(),
  /** Findings beyond the cap: counted, not kept. */
  findingsOmitted: count.optional(),
  /** The tools whose reports were read (a tool with no findings still shows). */
  tools: z.array(z.enum(FINDING_TOOLS)).optional(),
  tests: TestReportSchema.optional(),
  coverageReport: CoverageReportSchema.optional(),
  /** Reports refused by their parser: "coverage report rejected: …". */
  rejected: z.array(z.string()).optional(),
  /** The coverage gate's diff coverage of the pull request's changed lines. */
  diffCoverage: DiffCoverageSchema.optional(),
  /** The coverage of the base commit the gate compared with. */
  baseCoverage: z.object({ sha: z.string(), totals: CoverageTotalsSchema }).optional(),
};

/** Most findings a job result carries; the rest are counted in `findingsOmitted`. */
export const RESULT_FINDINGS_CAP = 5000;

export const ARTIFACT_KINDS = ["wheel", "sdist"] as const;

/** A file a build job produced, identified by content so a deploy can prove what it got. */
export const ArtifactSchema = z.object({
  name: z.string().min(1),
  size: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kind: z.enum(ARTIFACT_KINDS),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

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
  /** Built files (their paths are the `dist/<name>` reports), when the job built any. */
  artifacts: z.array(ArtifactSchema).optional(),
  /** The container image a `docker` job built: its id as `docker build --iidfile` wrote it. */
  image: z.object({ id: z.string().regex(/^sha256:[0-9a-f]{64}$/) }).optional(),
  ...ReportFieldsShape,
});
export type JobResult = z.infer<typeof JobResultSchema>;
