import type { CoverageDelta, DiffCoverage } from "./coverage-analysis.js";
import { fitSections, type Section } from "./fit.js";
import { details, percent, plural, signedPercent, text } from "./markdown.js";
import type { CoverageReport, Finding, FindingTool } from "./model.js";
import {
  againstMinimum,
  coverageFilesTable,
  diffCoverageTable,
  failingTestsTable,
  findingsList,
  findingsTable,
  type LegTests,
  rejectedNote,
  testsTable,
} from "./sections.js";

/** GitHub refuses check run `output.summary` longer than this. */
export const SUMMARY_LIMIT = 65_535;

/** What one check run's summary shows; every part is optional. */
export interface JobSummaryInput {
  /** One line on top, from our own words ("flake8 found 3 problems"). */
  readonly headline?: string;
  readonly tests?: readonly LegTests[];
  readonly findings?: {
    readonly findings: readonly Finding[];
    /** Which tools ran (a tool with no findings then shows zeros). */
    readonly tools?: readonly FindingTool[];
    /** Findings beyond the annotation cap, from `toAnnotations`. */
    readonly omitted?: number;
  };
  readonly coverage?: {
    readonly report: CoverageReport;
    readonly delta?: CoverageDelta;
    readonly diff?: DiffCoverage;
    readonly minimum?: number;
    readonly diffMinimum?: number;
  };
  /** Rejected reports and other warnings. */
  readonly notes?: readonly string[];
  readonly limit?: number;
}

/**
 * A check run summary: tests per leg with the failing cases, findings per tool and severity,
 * coverage per file worst first. Deterministic, and within `limit` (GitHub's, by default).
 */
export function renderJobSummary(input: JobSummaryInput): string {
  const { tests, findings, coverage, headline } = input;
  const notes = input.notes ?? [];
  const sections: Section[] = [
    ...(tests === undefined || tests.length === 0 ? [] : [testsPart(tests)]),
    ...(findings === undefined ? [] : [findingsPart(findings)]),
    ...(coverage === undefined ? [] : [coveragePart(coverage)]),
    ...(notes.length === 0 ? [] : [notesPart(notes)]),
  ];
  return fitSections({
    head: () => (headline === undefined ? "" : text(headline, 500)),
    sections,
    limit: input.limit ?? SUMMARY_LIMIT,
    omitted: "the annotations and the log hold the rest",
  }).replace(/^\n+/, "");
}

function testsPart(tests: readonly LegTests[]): Section {
  return (budget) => {
    const failing = failingTestsTable(tests, budget);
    const listed = failing === undefined ? [] : ["#### Failing tests", failing];
    return ["### Tests", testsTable(tests, budget), ...listed].join("\n\n");
  };
}

function findingsPart(findings: NonNullable<JobSummaryInput["findings"]>): Section {
  return (budget) => {
    const all = findings.findings;
    const parts = ["### Findings", findingsTable(all, findings.tools)];
    if (all.length > 0)
      parts.push(details(`All findings (${all.length})`, findingsList(all, budget)));
    const omitted = findings.omitted ?? 0;
    if (omitted > 0) {
      parts.push(
        `Annotations are capped: ${omitted} more ${omitted === 1 ? "finding is" : "findings are"} counted above but not annotated.`,
      );
    }
    return parts.join("\n\n");
  };
}

function coveragePart(coverage: NonNullable<JobSummaryInput["coverage"]>): Section {
  return (budget) => {
    const total = againstMinimum(coverage.report.totals.percent, coverage.minimum);
    const parts = ["### Coverage", `**Total: ${total}** ${deltaLine(coverage.delta)}`.trimEnd()];
    const diff = coverage.diff;
    if (diff?.totals.percent !== undefined) {
      const figure = againstMinimum(diff.totals.percent, coverage.diffMinimum);
      const lines = plural(diff.totals.executable, "changed executable line");
      parts.push(`**Diff coverage: ${figure}** of ${lines}`, diffCoverageTable(diff, budget));
    }
    parts.push(coverageFilesTable(coverage.report, budget));
    return parts.join("\n\n");
  };
}

function notesPart(notes: readonly string[]): Section {
  return (budget) =>
    notes
      .slice(0, Math.max(1, budget.rows))
      .map((note) => rejectedNote(note, budget))
      .join("\n");
}

function deltaLine(delta: CoverageDelta | undefined): string {
  if (delta === undefined) return "";
  if (delta.kind === "no-base") return "· no base coverage yet";
  return `· ${signedPercent(delta.delta)} against the base (${percent(delta.base)})`;
}
