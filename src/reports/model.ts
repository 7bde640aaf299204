import { z } from "zod";

/**
 * The report models. They cross a queue inside job results later, so each is a zod schema and
 * its type is inferred from it.
 */

export const FINDING_TOOLS = ["flake8", "black", "pylint", "mypy", "bandit"] as const;
export type FindingTool = (typeof FINDING_TOOLS)[number];

/** How loud a finding is on GitHub: the check-run annotation level follows from it. */
export const SEVERITIES = ["error", "warning", "notice"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** bandit's own scale, used for both its severity and its confidence. */
export const LEVELS = ["low", "medium", "high"] as const;
export type Level = (typeof LEVELS)[number];

const lineNumber = z.number().int().positive();

export const FindingSchema = z.object({
  tool: z.enum(FINDING_TOOLS),
  /** Repository path, POSIX separators, no leading `./`. */
  path: z.string().min(1),
  line: lineNumber,
  endLine: lineNumber.optional(),
  /** 1-based. */
  column: lineNumber.optional(),
  /** 1-based and inclusive, on `endLine` (or `line`). */
  endColumn: lineNumber.optional(),
  severity: z.enum(SEVERITIES),
  /** The tool's code for the check: "F401", "B602", "W0611", "arg-type", "black". */
  rule: z.string(),
  title: z.string(),
  message: z.string(),
  /** The tool's own word for the severity, lower-cased: "high" (bandit), "convention" (pylint). */
  toolSeverity: z.string().optional(),
  /** bandit only: how sure bandit is. With `toolSeverity`, what `banditGate` reads. */
  confidence: z.enum(LEVELS).optional(),
  /** The source line the finding points at, when the report quotes it (bandit does). */
  code: z.string().optional(),
  /** Longer text for the annotation's raw details: black's diff of the file. */
  details: z.string().optional(),
  /** Documentation of the rule. */
  url: z.string().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const BranchLineSchema = z.object({
  line: lineNumber,
  covered: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type BranchLine = z.infer<typeof BranchLineSchema>;

export const CoverageTotalsSchema = z.object({
  /** Executed statements. */
  covered: z.number().int().nonnegative(),
  statements: z.number().int().nonnegative(),
  /** coverage.py's figure: (covered lines + covered branches) / (statements + branches). */
  percent: z.number().min(0).max(100),
  branches: z
    .object({ covered: z.number().int().nonnegative(), total: z.number().int().nonnegative() })
    .optional(),
});
export type CoverageTotals = z.infer<typeof CoverageTotalsSchema>;

export const CoverageFileSchema = z.object({
  path: z.string().min(1),
  /** Executed line numbers, ascending. */
  covered: z.array(lineNumber),
  /** Executable lines never executed, ascending. */
  missing: z.array(lineNumber),
  /** Lines that branch, with how many of their branches ran (branch coverage only). */
  branches: z.array(BranchLineSchema).optional(),
  totals: CoverageTotalsSchema,
});
export type CoverageFile = z.infer<typeof CoverageFileSchema>;

export const CoverageReportSchema = z.object({
  /** Sorted by path. */
  files: z.array(CoverageFileSchema),
  totals: CoverageTotalsSchema,
});
export type CoverageReport = z.infer<typeof CoverageReportSchema>;

export const FailingTestSchema = z.object({
  name: z.string(),
  classname: z.string(),
  kind: z.enum(["failure", "error"]),
  /** Repository path of the test file or of the failing line, when the report says. */
  file: z.string().optional(),
  line: lineNumber.optional(),
  /** One short paragraph: the failure's message attribute or the first line of its text. */
  message: z.string(),
  /** The failure's text (traceback), capped. */
  details: z.string().optional(),
});
export type FailingTest = z.infer<typeof FailingTestSchema>;

export const TestReportSchema = z.object({
  tests: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  timeSeconds: z.number().nonnegative(),
  /** Failures and errors, in report order; capped, the counts above are not. */
  failing: z.array(FailingTestSchema),
});
export type TestReport = z.infer<typeof TestReportSchema>;

/** Every parser's outcome: rejections are data with a sentence for the check run. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export interface ReportLimits {
  /** Largest XML report read, in bytes. */
  readonly xmlBytes: number;
  readonly jsonBytes: number;
  readonly textBytes: number;
  /** Deepest element or JSON nesting accepted. */
  readonly depth: number;
  /** Most findings or failing test cases kept from one report. */
  readonly items: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  xmlBytes: 32 * 1024 * 1024,
  jsonBytes: 16 * 1024 * 1024,
  textBytes: 16 * 1024 * 1024,
  depth: 64,
  items: 100_000,
};

export interface ParseOptions {
  /** The job's workspace source folder: absolute paths under it become repository paths. */
  readonly root?: string;
  readonly limits?: Partial<ReportLimits>;
}

export const REPORT_KINDS = [
  "cobertura",
  "coverage-json",
  "junit",
  "bandit",
  "flake8",
  "pylint",
  "mypy",
  "black",
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** What each kind of report parses into. */
export interface ReportValues {
  readonly cobertura: CoverageReport;
  readonly "coverage-json": CoverageReport;
  readonly junit: TestReport;
  readonly bandit: Finding[];
  readonly flake8: Finding[];
  readonly pylint: Finding[];
  readonly mypy: Finding[];
  readonly black: Finding[];
}

/** The report files the runner writes, by name (JobResult.reports keys). */
export const REPORT_FILES: Readonly<Record<string, ReportKind>> = {
  "coverage.xml": "cobertura",
  "coverage.json": "coverage-json",
  "junit.xml": "junit",
  "bandit.json": "bandit",
  "flake8.txt": "flake8",
  "pylint.txt": "pylint",
  "mypy.txt": "mypy",
  "black.diff": "black",
};

export function reportKindOf(name: string): ReportKind | undefined {
  return Object.hasOwn(REPORT_FILES, name) ? REPORT_FILES[name] : undefined;
}
