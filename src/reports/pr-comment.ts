import { coverageDelta, type DiffCoverage } from "./coverage-analysis.js";
import type { FindingComparison } from "./fingerprint.js";
import { cell, details, link, percent, plural, signedPercent, table, text } from "./markdown.js";
import type { CoverageReport, CoverageTotals, Finding, FindingTool } from "./model.js";
import { LEVELS } from "./model.js";
import {
  againstMinimum,
  type Budget,
  coverageFilesTable,
  diffCoverageTable,
  failingTestsTable,
  findingsList,
  findingsTable,
  type LegTests,
  rejectedNote,
  testsTable,
} from "./sections.js";
import { fitSections, type Section } from "./fit.js";
import type { Suppression } from "./suppressions.js";

/** The hidden first line by which the App finds its one comment on a pull request. */
export const COMMENT_MARKER = "<!-- pylot:pr-comment -->";
/** GitHub refuses comment bodies longer than this. */
export const COMMENT_LIMIT = 65_536;

export type CheckConclusion =
  "success" | "failure" | "cancelled" | "timed_out" | "skipped" | "neutral" | "action_required";

export interface CheckLink {
  /** "Pylot / lint". */
  readonly name: string;
  /** Null while the check is queued or running. */
  readonly conclusion: CheckConclusion | null;
  readonly url?: string;
}

export interface PrCommentModel {
  /** The head commit the pipeline built. */
  readonly sha: string;
  /** The whole pipeline's conclusion (the `Pylot` check run); null while it runs. */
  readonly conclusion: CheckConclusion | null;
  /** The `Pylot` check run's page. */
  readonly url?: string;
  readonly checks: readonly CheckLink[];
  /** One entry per test leg. */
  readonly tests: readonly LegTests[];
  readonly coverage?: {
    /** The coverage legs' reports merged (`mergeCoverage`). */
    readonly report?: CoverageReport;
    /** Why there is no report (the parser's reason), when there is none. */
    readonly rejected?: string;
    /** Undefined: no coverage is stored for the base branch yet. */
    readonly base?: {
      readonly sha: string;
      readonly coverage: CoverageReport | CoverageTotals;
      /** True when this is the nearest stored ancestor, not the base SHA itself. */
      readonly ancestor?: boolean;
    };
    readonly diff?: DiffCoverage;
    readonly minimum?: number;
    readonly diffMinimum?: number;
  };
  readonly security?: {
    /** bandit's findings on the head. */
    readonly findings: readonly Finding[];
    /** Against the base's findings (`compareFindings`); undefined when the base has none stored. */
    readonly comparison?: FindingComparison;
    readonly rejected?: string;
  };
  /** Lint and type findings (flake8, black, pylint, mypy) and which of those tools ran. */
  readonly analysis?: {
    readonly tools: readonly FindingTool[];
    readonly findings: readonly Finding[];
  };
  readonly suppressions?: readonly Suppression[];
  /** Anything else the reader should know ("bandit report rejected: …"), shown as notes. */
  readonly notes?: readonly string[];
}

const ICONS: Readonly<Record<CheckConclusion, string>> = {
  success: "✅",
  failure: "❌",
  cancelled: "🚫",
  timed_out: "⏱️",
  skipped: "⏭️",
  neutral: "➖",
  action_required: "✋",
};

function label(conclusion: CheckConclusion | null): string {
  return conclusion === null
    ? "⏳ running"
    : `${ICONS[conclusion]} ${conclusion.replace("_", " ")}`;
}

/**
 * The sticky pull request comment: pure and deterministic (same model, same text, so the App
 * edits only when something changed), and always within GitHub's limit: tables shrink first,
 * then whole sections give way, never a cut in the middle of markup.
 */
export function renderPrComment(model: PrCommentModel): string {
  return fitSections({
    head: header(model),
    sections: sections(model),
    limit: COMMENT_LIMIT,
    omitted: "the full reports are on the check runs",
  });
}

function header(model: PrCommentModel): (budget: Budget) => string {
  return (budget) => {
    const title = `${COMMENT_MARKER}\n## ${link(`Pylot: ${label(model.conclusion)}`, model.url)}`;
    const commit = `for commit ${text(model.sha.slice(0, 12), 12)}`;
    const checks = model.checks
      .slice(0, budget.rows)
      .map((check) => [link(cell(check.name), check.url), label(check.conclusion)]);
    if (model.checks.length > budget.rows)
      checks.push([`… and ${model.checks.length - budget.rows} more`, " "]);
    return [title, commit, checks.length === 0 ? "" : table(["Check", "Result"], checks)]
      .filter((part) => part !== "")
      .join("\n\n");
  };
}

function sections(model: PrCommentModel): Section[] {
  const list: Section[] = [];
  if (model.tests.length > 0) list.push((budget) => testsSection(model.tests, budget));
  const coverage = model.coverage;
  if (coverage !== undefined) list.push((budget) => coverageSection(coverage, budget));
  const security = model.security;
  if (security !== undefined) list.push((budget) => securitySection(security, budget));
  const analysis = model.analysis;
  if (analysis !== undefined)
    list.push(() => `### Lint and types\n\n${findingsTable(analysis.findings, analysis.tools)}`);
  const suppressions = model.suppressions ?? [];
  if (suppressions.length > 0) list.push((budget) => suppressionsSection(suppressions, budget));
  const notes = model.notes ?? [];
  if (notes.length > 0)
    list.push((budget) =>
      notes
        .slice(0, budget.rows)
        .map((note) => rejectedNote(note, budget))
        .join("\n"),
    );
  return list;
}

function testsSection(legs: readonly LegTests[], budget: Budget): string {
  const failing = failingTestsTable(legs, budget);
  const count = legs.reduce((sum, leg) => sum + (leg.report?.failing.length ?? 0), 0);
  const parts = ["### Tests", testsTable(legs, budget)];
  if (failing !== undefined) parts.push(details(`Failing tests (${count})`, failing, count <= 5));
  return parts.join("\n\n");
}

function coverageSection(
  coverage: NonNullable<PrCommentModel["coverage"]>,
  budget: Budget,
): string {
  const report = coverage.report;
  if (report === undefined)
    return `### Coverage\n\n${rejectedNote(coverage.rejected ?? "no coverage was measured", budget)}`;
  const parts = [
    "### Coverage",
    `**Total: ${againstMinimum(report.totals.percent, coverage.minimum)}** ${baseLine(report, coverage.base)}`,
  ];
  const diff = coverage.diff;
  if (diff !== undefined) {
    parts.push(
      diff.totals.percent === undefined
        ? "**Diff coverage:** no executable line was changed."
        : `**Diff coverage: ${againstMinimum(diff.totals.percent, coverage.diffMinimum)}** of ${plural(diff.totals.executable, "changed executable line")}`,
    );
    const uncovered = diff.files.filter((file) => file.uncovered.length > 0);
    if (uncovered.length > 0)
      parts.push(
        details(
          `Changed lines not covered (${plural(uncovered.length, "file")})`,
          diffCoverageTable({ ...diff, files: uncovered }, budget),
        ),
      );
  }
  parts.push(
    details(
      "Files with the lowest coverage",
      coverageFilesTable(report, { ...budget, rows: Math.min(budget.rows, 10) }),
    ),
  );
  return parts.join("\n\n");
}

function baseLine(
  report: CoverageReport,
  base: NonNullable<PrCommentModel["coverage"]>["base"],
): string {
  const delta = coverageDelta(report, base?.coverage);
  if (delta.kind === "no-base" || base === undefined)
    return "· no base coverage yet: the base branch has no stored coverage to compare with.";
  const arrow = delta.delta > 0.005 ? "▲" : delta.delta < -0.005 ? "▼" : "=";
  const which =
    base.ancestor === true ? "the nearest stored ancestor on the base branch" : "the base";
  return `· ${arrow} ${signedPercent(delta.delta)} against ${which} (${text(base.sha.slice(0, 12), 12)}, ${percent(delta.base)})`;
}

function securitySection(
  security: NonNullable<PrCommentModel["security"]>,
  budget: Budget,
): string {
  if (security.rejected !== undefined)
    return `### Security (bandit)\n\n${rejectedNote(security.rejected, budget)}`;
  const byLevel = (findings: readonly Finding[]) =>
    [...LEVELS]
      .reverse()
      .map((level) => `${findings.filter((f) => f.toolSeverity === level).length}`);
  const comparison = security.comparison;
  if (comparison === undefined) {
    const rows = [["All", ...byLevel(security.findings)]];
    const parts = [
      "### Security (bandit)",
      "No base findings are stored yet, so every finding is counted here.",
      table(["", "High", "Medium", "Low"], rows),
    ];
    if (security.findings.length > 0)
      parts.push(
        details(`Findings (${security.findings.length})`, findingsList(security.findings, budget)),
      );
    return parts.join("\n\n");
  }
  const rows = [
    [`${comparison.new.length > 0 ? "❌" : "✅"} New`, ...byLevel(comparison.new)],
    ["Fixed", ...byLevel(comparison.fixed)],
    ["Existing", ...byLevel(comparison.existing)],
  ];
  const parts = ["### Security (bandit)", table(["", "High", "Medium", "Low"], rows)];
  if (comparison.new.length > 0)
    parts.push(
      details(
        `New findings (${comparison.new.length})`,
        findingsList(comparison.new, budget),
        comparison.new.length <= 5,
      ),
    );
  if (comparison.fixed.length > 0)
    parts.push(
      details(
        `Fixed findings (${comparison.fixed.length})`,
        findingsList(comparison.fixed, budget),
      ),
    );
  return parts.join("\n\n");
}

function suppressionsSection(suppressions: readonly Suppression[], budget: Budget): string {
  const rows = suppressions
    .slice(0, budget.rows)
    .map((s) => [cell(s.path), `${s.line}`, cell(s.kind), cell(s.comment, budget.chars)]);
  if (suppressions.length > budget.rows)
    rows.push([`… and ${suppressions.length - budget.rows} more`, " ", " ", " "]);
  const body = table(["File", "Line", "Kind", "Comment"], rows);
  return `### New suppressions\n\n${details(`${plural(suppressions.length, "suppression comment")} added by this pull request`, body, suppressions.length <= 5)}`;
}
