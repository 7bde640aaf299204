import type { BranchLine, CoverageFile, CoverageReport, CoverageTotals } from "./model.js";

/** What a parser collects for one file before totals are computed. */
export interface FileLines {
  readonly covered: Set<number>;
  readonly missing: Set<number>;
  /** Present when branch coverage was measured; line → branches run and in all. */
  branches?: Map<number, { covered: number; total: number }>;
}

export function emptyLines(branch: boolean): FileLines {
  return branch
    ? { covered: new Set(), missing: new Set(), branches: new Map() }
    : { covered: new Set(), missing: new Set() };
}

/** coverage.py's own formula, so our figure is the one `coverage report` prints. */
export function percentOf(input: {
  readonly covered: number;
  readonly statements: number;
  readonly branchesCovered: number;
  readonly branches: number;
}): number {
  const denominator = input.statements + input.branches;
  if (denominator === 0) return 100;
  return ((input.covered + input.branchesCovered) * 100) / denominator;
}

function ascending(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

export function toCoverageFile(path: string, lines: FileLines): CoverageFile {
  // A line executed by any test is covered, even if another record says it was missed.
  const missing = ascending([...lines.missing].filter((line) => !lines.covered.has(line)));
  const covered = ascending(lines.covered);
  const statements = covered.length + missing.length;
  if (lines.branches === undefined) {
    const percent = percentOf({
      covered: covered.length,
      statements,
      branchesCovered: 0,
      branches: 0,
    });
    return { path, covered, missing, totals: { covered: covered.length, statements, percent } };
  }
  const branches: BranchLine[] = ascending(lines.branches.keys()).map((line) => {
    const counts = lines.branches?.get(line) ?? { covered: 0, total: 0 };
    return { line, covered: Math.min(counts.covered, counts.total), total: counts.total };
  });
  const total = branches.reduce((sum, b) => sum + b.total, 0);
  const branchesCovered = branches.reduce((sum, b) => sum + b.covered, 0);
  const percent = percentOf({
    covered: covered.length,
    statements,
    branchesCovered,
    branches: total,
  });
  return {
    path,
    covered,
    missing,
    branches,
    totals: {
      covered: covered.length,
      statements,
      percent,
      branches: { covered: branchesCovered, total },
    },
  };
}

export function toCoverageReport(files: ReadonlyMap<string, FileLines>): CoverageReport {
  const list = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, lines]) => toCoverageFile(path, lines));
  return { files: list, totals: sumTotals(list.map((file) => file.totals)) };
}

export function sumTotals(all: readonly CoverageTotals[]): CoverageTotals {
  let covered = 0;
  let statements = 0;
  let branchesCovered = 0;
  let branches = 0;
  let branchMode = false;
  for (const totals of all) {
    covered += totals.covered;
    statements += totals.statements;
    if (totals.branches !== undefined) {
      branchMode = true;
      branchesCovered += totals.branches.covered;
      branches += totals.branches.total;
    }
  }
  const percent = percentOf({ covered, statements, branchesCovered, branches });
  return branchMode
    ? { covered, statements, percent, branches: { covered: branchesCovered, total: branches } }
    : { covered, statements, percent };
}
