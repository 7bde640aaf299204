import type { DiffCoverage } from "./coverage-analysis.js";
import { cell, lineRanges, link, more, percent, seconds, table, text } from "./markdown.js";
import {
  FINDING_TOOLS,
  type CoverageReport,
  type Finding,
  type FindingTool,
  type TestReport,
} from "./model.js";

/** How much a rendering may show: rows per table and characters per message. */
export interface Budget {
  readonly rows: number;
  readonly chars: number;
}

/** One matrix leg's tests, or why there are none to show. */
export interface LegTests {
  /** "test (3.12, linux)". */
  readonly leg: string;
  readonly report?: TestReport;
  /** The parser's reason when the leg's JUnit report was rejected. */
  readonly rejected?: string;
  readonly url?: string;
}

function limited<T>(
  items: readonly T[],
  budget: Budget,
  row: (item: T) => string[],
  width: number,
): string[][] {
  const rows = items.slice(0, budget.rows).map(row);
  if (items.length > budget.rows)
    rows.push([more(items.length - budget.rows), ...Array<string>(width - 1).fill(" ")]);
  return rows;
}

export function testsTable(legs: readonly LegTests[], budget: Budget): string {
  const row = (leg: LegTests): string[] => {
    const report = leg.report;
    if (report === undefined)
      return [
        `⚠️ ${link(cell(leg.leg), leg.url)}`,
        "—",
        "—",
        "—",
        "—",
        "—",
        cell(leg.rejected ?? "no test report", budget.chars),
      ];
    const passed = Math.max(0, report.tests - report.failures - report.errors - report.skipped);
    const ok = report.failures + report.errors === 0 ? "✅" : "❌";
    return [
      `${ok} ${link(cell(leg.leg), leg.url)}`,
      `${passed}`,
      `${report.failures}`,
      `${report.errors}`,
      `${report.skipped}`,
      seconds(report.timeSeconds),
      " ",
    ];
  };
  return table(
    ["Leg", "Passed", "Failed", "Errors", "Skipped", "Time", "Note"],
    limited(legs, budget, row, 7),
  );
}

export function failingTestsTable(legs: readonly LegTests[], budget: Budget): string | undefined {
  const failing = legs.flatMap((leg) =>
    (leg.report?.failing ?? []).map((test) => ({ leg: leg.leg, test })),
  );
  if (failing.length === 0) return undefined;
  const row = ({ leg, test }: (typeof failing)[number]): string[] => {
    const name = test.classname === "" ? test.name : `${test.classname}.${test.name}`;
    const where =
      test.file === undefined
        ? ""
        : `${test.file}${test.line === undefined ? "" : `:${test.line}`}`;
    return [cell(leg), cell(name), test.kind, cell(where), cell(test.message, budget.chars)];
  };
  return table(["Leg", "Test", "Kind", "Where", "Message"], limited(failing, budget, row, 5));
}

export interface SeverityCounts {
  readonly error: number;
  readonly warning: number;
  readonly notice: number;
}

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = { error: 0, warning: 0, notice: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/** Findings per tool and severity; tools that ran and found nothing show zeros. */
export function findingsTable(
  findings: readonly Finding[],
  tools?: readonly FindingTool[],
): string {
  const shown = FINDING_TOOLS.filter(
    (tool) => (tools ?? []).includes(tool) || findings.some((finding) => finding.tool === tool),
  );
  const rows = shown.map((tool) => {
    const counts = countBySeverity(findings.filter((finding) => finding.tool === tool));
    const total = counts.error + counts.warning + counts.notice;
    return [
      `${total === 0 ? "✅" : "⚠️"} ${tool}`,
      `${counts.error}`,
      `${counts.warning}`,
      `${counts.notice}`,
    ];
  });
  return table(["Tool", "Errors", "Warnings", "Notices"], rows);
}

export function findingsList(findings: readonly Finding[], budget: Budget): string {
  const row = (finding: Finding): string[] => [
    finding.severity,
    cell(finding.rule === finding.tool ? finding.tool : `${finding.tool} ${finding.rule}`, 60),
    cell(`${finding.path}:${finding.line}`),
    cell(finding.message, budget.chars),
  ];
  return table(["Severity", "Rule", "Where", "Message"], limited(findings, budget, row, 4));
}

/** Files worst first: lowest percent, then most missing lines, then path. */
export function worstFiles(report: CoverageReport): CoverageReport["files"] {
  return report.files
    .filter((file) => file.totals.statements > 0)
    .sort(
      (a, b) =>
        a.totals.percent - b.totals.percent ||
        b.missing.length - a.missing.length ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
}

export function coverageFilesTable(report: CoverageReport, budget: Budget): string {
  const row = (file: CoverageReport["files"][number]): string[] => [
    cell(file.path),
    `${file.totals.statements}`,
    `${file.missing.length}`,
    percent(file.totals.percent),
    cell(lineRanges(file.missing, Math.max(3, Math.floor(budget.chars / 12))), budget.chars),
  ];
  return table(
    ["File", "Statements", "Missing", "Coverage", "Missing lines"],
    limited(worstFiles(report), budget, row, 5),
  );
}

export function diffCoverageTable(diff: DiffCoverage, budget: Budget): string {
  const files = [...diff.files].sort(
    (a, b) => (a.percent ?? 100) - (b.percent ?? 100) || b.uncovered.length - a.uncovered.length,
  );
  const row = (file: DiffCoverage["files"][number]): string[] => [
    cell(file.path),
    `${file.covered} / ${file.executable}`,
    file.percent === undefined ? "—" : percent(file.percent),
    file.uncovered.length === 0
      ? " "
      : cell(lineRanges(file.uncovered, Math.max(3, Math.floor(budget.chars / 12))), budget.chars),
  ];
  return table(
    ["File", "Changed lines covered", "Coverage", "Uncovered changed lines"],
    limited(files, budget, row, 4),
  );
}

/** A gate's verdict next to its figure: "80.00% ✅ (minimum 75%)". */
export function againstMinimum(value: number | undefined, minimum: number | undefined): string {
  if (value === undefined) return "—";
  if (minimum === undefined) return percent(value);
  return `${percent(value)} ${value >= minimum ? "✅" : "❌"} (minimum ${minimum}%)`;
}

export function rejectedNote(reason: string, budget: Budget): string {
  return `> ⚠️ ${text(reason, budget.chars)}`;
}
