import { emptyLines, type FileLines, toCoverageReport } from "./coverage-model.js";
import type { CoverageReport, CoverageTotals } from "./model.js";

/** Coverage of several legs as one: a line is covered when any leg covered it. */
export function mergeCoverage(reports: readonly CoverageReport[]): CoverageReport {
  const files = new Map<string, FileLines>();
  for (const report of reports) {
    for (const file of report.files) {
      const lines = files.get(file.path) ?? emptyLines(file.branches !== undefined);
      for (const line of file.covered) lines.covered.add(line);
      for (const line of file.missing) lines.missing.add(line);
      if (file.branches !== undefined) {
        lines.branches ??= new Map();
        for (const branch of file.branches) {
          const before = lines.branches.get(branch.line);
          // Which branches ran is not kept, only how many: the best leg is a lower bound.
          lines.branches.set(branch.line, {
            covered: Math.max(branch.covered, before?.covered ?? 0),
            total: Math.max(branch.total, before?.total ?? 0),
          });
        }
      }
      files.set(file.path, lines);
    }
  }
  return toCoverageReport(files);
}

export interface DiffCoverageFile {
  readonly path: string;
  /** Changed lines that are executable statements. */
  readonly executable: number;
  readonly covered: number;
  /** Changed executable lines no test ran, ascending. */
  readonly uncovered: number[];
  /** Undefined when no changed line is executable. */
  readonly percent?: number;
}

export interface DiffCoverage {
  /** Files with at least one changed executable line, by path. */
  readonly files: DiffCoverageFile[];
  readonly totals: {
    readonly executable: number;
    readonly covered: number;
    readonly percent?: number;
  };
}

/** How much of a pull request's changed code the tests ran. */
export function diffCoverage(
  report: CoverageReport,
  changed: ReadonlyMap<string, readonly number[]>,
): DiffCoverage {
  const byPath = new Map(report.files.map((file) => [file.path, file]));
  const files: DiffCoverageFile[] = [];
  for (const [path, lines] of [...changed.entries()].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const file = byPath.get(path);
    if (file === undefined) continue;
    const covered = new Set(file.covered);
    const missing = new Set(file.missing);
    const unique = [...new Set(lines)].sort((a, b) => a - b);
    const hit = unique.filter((line) => covered.has(line)).length;
    const uncovered = unique.filter((line) => missing.has(line));
    const executable = hit + uncovered.length;
    if (executable === 0) continue;
    files.push({ path, executable, covered: hit, uncovered, percent: (hit * 100) / executable });
  }
  const executable = files.reduce((sum, file) => sum + file.executable, 0);
  const covered = files.reduce((sum, file) => sum + file.covered, 0);
  return {
    files,
    totals:
      executable === 0
        ? { executable, covered }
        : { executable, covered, percent: (covered * 100) / executable },
  };
}

export interface FileDelta {
  readonly path: string;
  /** Undefined when the file is not in that report. */
  readonly current?: number;
  readonly base?: number;
  readonly delta?: number;
}

export type CoverageDelta =
  | { readonly kind: "no-base"; readonly current: number }
  | {
      readonly kind: "compared";
      readonly current: number;
      readonly base: number;
      readonly delta: number;
      /** Files whose coverage changed, appeared or disappeared (only with a full base report). */
      readonly files: FileDelta[];
    };

/** Current coverage against the base branch's; the base may be a full report or its totals. */
export function coverageDelta(
  current: CoverageReport,
  base: CoverageReport | CoverageTotals | undefined,
): CoverageDelta {
  const now = current.totals.percent;
  if (base === undefined) return { kind: "no-base", current: now };
  const baseTotals = "files" in base ? base.totals : base;
  const files = "files" in base ? fileDeltas(current, base) : [];
  return {
    kind: "compared",
    current: now,
    base: baseTotals.percent,
    delta: now - baseTotals.percent,
    files,
  };
}

function fileDeltas(current: CoverageReport, base: CoverageReport): FileDelta[] {
  const before = new Map(base.files.map((file) => [file.path, file.totals.percent]));
  const after = new Map(current.files.map((file) => [file.path, file.totals.percent]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const deltas: FileDelta[] = [];
  for (const path of paths) {
    const was = before.get(path);
    const is = after.get(path);
    if (was !== undefined && is !== undefined && Math.abs(is - was) < 1e-9) continue;
    deltas.push({
      path,
      ...(is === undefined ? {} : { current: is }),
      ...(was === undefined ? {} : { base: was }),
      ...(is === undefined || was === undefined ? {} : { delta: is - was }),
    });
  }
  return deltas;
}
