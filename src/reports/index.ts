/**
 * Reports: pure parsers of the tools' outputs into one model (Finding, CoverageReport,
 * TestReport), the analyses built on them (merged and diff coverage, deltas, new findings,
 * new suppressions, the bandit gate), check-run annotations, and the markdown of check-run
 * summaries and of the sticky pull request comment. `parseReportFile` is the one function
 * that reads a file; everything else is pure.
 */
export {
  BranchLineSchema,
  CoverageFileSchema,
  CoverageReportSchema,
  CoverageTotalsSchema,
  DEFAULT_LIMITS,
  FailingTestSchema,
  FINDING_TOOLS,
  FindingSchema,
  LEVELS,
  REPORT_FILES,
  REPORT_KINDS,
  reportKindOf,
  SEVERITIES,
  TestReportSchema,
} from "./model.js";
export type {
  BranchLine,
  CoverageFile,
  CoverageReport,
  CoverageTotals,
  FailingTest,
  Finding,
  FindingTool,
  Level,
  ParseOptions,
  ParseResult,
  ReportKind,
  ReportLimits,
  ReportValues,
  Severity,
  TestReport,
} from "./model.js";
export { parseCobertura } from "./cobertura.js";
export { parseCoverageJson } from "./coverage-json.js";
export { parseJunit } from "./junit.js";
export { banditGate, parseBandit, type BanditGate } from "./bandit.js";
export { parseFlake8 } from "./flake8.js";
export { parsePylint } from "./pylint.js";
export { parseMypy } from "./mypy.js";
export { parseBlack } from "./black.js";
export { parseReport } from "./parse-report.js";
export { parseReportFile, type ParseFileOptions } from "./parse-file.js";
export {
  coverageDelta,
  diffCoverage,
  mergeCoverage,
  type CoverageDelta,
  type DiffCoverage,
  type DiffCoverageFile,
  type FileDelta,
} from "./coverage-analysis.js";
export {
  addedLines,
  changedLines,
  pullRequestChanges,
  type AddedLine,
  type PullRequestChanges,
  type PullRequestFile,
} from "./patch.js";
export { compareFindings, fingerprint, type FindingComparison } from "./fingerprint.js";
export {
  newSuppressions,
  SUPPRESSION_KINDS,
  type Suppression,
  type SuppressionKind,
} from "./suppressions.js";
export {
  ANNOTATION_TEXT_BYTES,
  ANNOTATION_TITLE_LIMIT,
  ANNOTATIONS_PER_REQUEST,
  batches,
  DEFAULT_ANNOTATION_CAP,
  toAnnotations,
  type CheckAnnotation,
} from "./annotations.js";
export { renderJobSummary, SUMMARY_LIMIT, type JobSummaryInput } from "./job-summary.js";
export {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  renderPrComment,
  type CheckConclusion,
  type CheckLink,
  type PrCommentModel,
} from "./pr-comment.js";
export {
  coverageFilesTable,
  diffCoverageTable,
  failingTestsTable,
  findingsList,
  findingsTable,
  testsTable,
  type Budget,
  type LegTests,
} from "./sections.js";
export { percent as formatPercent } from "./markdown.js";
