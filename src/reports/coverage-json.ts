import { z } from "zod";
import {
  emptyLines,
  type FileLines,
  percentOf,
  sumTotals,
  toCoverageReport,
} from "./coverage-model.js";
import { decodeInput, issuesOf, limitsOf, parseJsonBounded, reject } from "./input.js";
import type { CoverageFile, CoverageReport, ParseOptions, ParseResult } from "./model.js";
import { repositoryPath } from "./paths.js";

const line = z.number().int();
const arc = z.tuple([line, line]);

/** The part of `coverage json` (coverage.py 6 and 7) that Pylot reads. */
const CoverageJson = z.object({
  meta: z.object({ branch_coverage: z.boolean().optional() }).optional(),
  files: z.record(
    z.string(),
    z.object({
      executed_lines: z.array(line),
      missing_lines: z.array(line),
      executed_branches: z.array(arc).optional(),
      missing_branches: z.array(arc).optional(),
      summary: z
        .object({
          covered_lines: z.number().int().nonnegative(),
          num_statements: z.number().int().nonnegative(),
          num_branches: z.number().int().nonnegative().optional(),
          covered_branches: z.number().int().nonnegative().optional(),
        })
        .optional(),
    }),
  ),
});
type JsonFile = z.infer<typeof CoverageJson>["files"][string];
type Summary = NonNullable<JsonFile["summary"]>;

export function parseCoverageJson(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<CoverageReport> {
  const limits = limitsOf(options);
  const text = decodeInput(input, limits.jsonBytes);
  if (!text.ok) return reject("coverage-json", text.why);
  const json = parseJsonBounded(text.value, limits.depth);
  if (!json.ok) return reject("coverage-json", json.why);
  const parsed = CoverageJson.safeParse(json.value);
  if (!parsed.success) return reject("coverage-json", issuesOf(parsed.error));
  const branch = parsed.data.meta?.branch_coverage === true;
  const files = new Map<string, FileLines>();
  const summaries = new Map<string, Summary | undefined>();
  const dropped: string[] = [];
  for (const [name, file] of Object.entries(parsed.data.files)) {
    const path = repositoryPath(name, options.root);
    if (path === undefined) {
      dropped.push(name);
      continue;
    }
    files.set(path, mergeInto(files.get(path) ?? emptyLines(branch || hasArcs(file)), file));
    // Two entries for one path (absolute and relative names) leave no single summary.
    summaries.set(path, summaries.has(path) ? undefined : file.summary);
  }
  const warnings =
    dropped.length > 0
      ? [
          `${dropped.length} file(s) outside the repository were left out: ${dropped.slice(0, 3).join(", ")}`,
        ]
      : [];
  const report = toCoverageReport(files);
  const exact = report.files.map((file) => withSummary(file, summaries.get(file.path)));
  return {
    ok: true,
    value: { files: exact, totals: sumTotals(exact.map((f) => f.totals)) },
    warnings,
  };
}

/**
 * coverage.py's `executed_lines` may hold lines that are not statements (a module's docstring
 * line), which would count as covered statements; its own summary has the exact counts.
 */
function withSummary(file: CoverageFile, summary: Summary | undefined): CoverageFile {
  if (summary === undefined) return file;
  const branches = file.totals.branches;
  const total = summary.num_branches ?? branches?.total ?? 0;
  const branchesCovered = summary.covered_branches ?? branches?.covered ?? 0;
  const covered = summary.covered_lines;
  const statements = summary.num_statements;
  const percent = percentOf({ covered, statements, branchesCovered, branches: total });
  const totals =
    branches === undefined
      ? { covered, statements, percent }
      : { covered, statements, percent, branches: { covered: branchesCovered, total } };
  return { ...file, totals };
}

function hasArcs(file: JsonFile): boolean {
  return file.executed_branches !== undefined || file.missing_branches !== undefined;
}

function mergeInto(lines: FileLines, file: JsonFile): FileLines {
  for (const number of file.executed_lines) if (number > 0) lines.covered.add(number);
  for (const number of file.missing_lines) if (number > 0) lines.missing.add(number);
  if (lines.branches === undefined) return lines;
  const counts = new Map<number, { covered: number; total: number }>();
  const count = (arcs: readonly (readonly [number, number])[] | undefined, ran: boolean) => {
    for (const [from] of arcs ?? []) {
      if (from <= 0) continue;
      const entry = counts.get(from) ?? { covered: 0, total: 0 };
      entry.total++;
      if (ran) entry.covered++;
      counts.set(from, entry);
    }
  };
  count(file.executed_branches, true);
  count(file.missing_branches, false);
  for (const [from, entry] of counts) {
    // coverage.py lists arcs from every line; only lines with two or more exits are branches.
    if (entry.total < 2) continue;
    const before = lines.branches.get(from);
    lines.branches.set(from, {
      covered: Math.max(entry.covered, before?.covered ?? 0),
      total: Math.max(entry.total, before?.total ?? 0),
    });
  }
  return lines;
}
