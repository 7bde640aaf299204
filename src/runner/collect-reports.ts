import type { JobResult, Step } from "../pipeline/types.js";
import { RESULT_FINDINGS_CAP } from "../pipeline/types.js";
import { IMAGE_ID, IMAGE_REPORT } from "./docker-step.js";
import { readCapped } from "./read-capped.js";
import {
  banditGate,
  parseReportFile,
  reportKindOf,
  type CoverageReport,
  type Finding,
  type FindingTool,
  type ParseFileOptions,
  type ReportKind,
  type ReportValues,
  type TestReport,
} from "../reports/index.js";

/** What a job's report files say, as the optional fields of its JobResult. */
export type ReportFields = Pick<
  JobResult,
  "findings" | "findingsOmitted" | "tools" | "tests" | "coverageReport" | "rejected" | "image"
>;

export interface CollectOptions {
  /** JobResult.reports: report name → path on this host. */
  readonly reports: Readonly<Record<string, string>>;
  /** The job's source folder: absolute paths in reports under it become repository paths. */
  readonly root: string;
  /** Most findings kept; default RESULT_FINDINGS_CAP. */
  readonly cap?: number;
  readonly parse?: Omit<ParseFileOptions, "root">;
}

const RANK: Readonly<Record<Finding["severity"], number>> = { error: 0, warning: 1, notice: 2 };
/** coverage.xml first; coverage.json stands in when the XML is missing or refused. */
const ORDER: readonly ReportKind[] = [
  "junit",
  "cobertura",
  "coverage-json",
  "flake8",
  "black",
  "pylint",
  "mypy",
  "bandit",
];

interface Parsed {
  findings: Finding[];
  tools: FindingTool[];
  tests?: TestReport;
  coverage?: CoverageReport;
  rejected: string[];
}

/**
 * Parses the report files a job wrote (never throws: a report that cannot be read or parsed
 * becomes a sentence in `rejected`). Findings are kept most severe first up to the cap, so
 * the result stays small enough to cross a queue.
 */
export async function collectReports(options: CollectOptions): Promise<ReportFields> {
  const parsed: Parsed = { findings: [], tools: [], rejected: [] };
  const files = Object.entries(options.reports)
    .map(([name, path]) => ({ name, path, kind: reportKindOf(name) }))
    .filter(
      (file): file is { name: string; path: string; kind: ReportKind } => file.kind !== undefined,
    )
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const parseOptions: ParseFileOptions = { ...options.parse, root: options.root };
  for (const file of files) await parseOne(parsed, file, parseOptions);
  const image = await imageOf(options.reports[IMAGE_REPORT]);
  return { ...fieldsOf(parsed, options.cap ?? RESULT_FINDINGS_CAP), ...image };
}

/** The image a docker job built, from its `image.iid` (64 bytes and a prefix, no more read). */
async function imageOf(path: string | undefined): Promise<Pick<ReportFields, "image">> {
  if (path === undefined) return {};
  const id = ((await readCapped(path, 256)) ?? "").trim();
  return IMAGE_ID.test(id) ? { image: { id } } : {};
}

async function parseOne(
  parsed: Parsed,
  file: { readonly name: string; readonly path: string; readonly kind: ReportKind },
  options: ParseFileOptions,
): Promise<void> {
  const read = async <K extends ReportKind>(kind: K): Promise<ReportValues[K] | undefined> => {
    const result = await parseReportFile(file.path, kind, options).catch(() => ({
      ok: false as const,
      reason: `${file.name} rejected: its parser failed`,
    }));
    if (result.ok) return result.value;
    parsed.rejected.push(result.reason);
    return undefined;
  };
  const { kind } = file;
  switch (kind) {
    case "junit": {
      const tests = await read(kind);
      if (tests !== undefined) parsed.tests = tests;
      return;
    }
    case "cobertura":
    case "coverage-json": {
      if (parsed.coverage !== undefined) return;
      const coverage = await read(kind);
      if (coverage !== undefined) parsed.coverage = coverage;
      return;
    }
    default: {
      const findings = await read(kind);
      if (findings === undefined) return;
      parsed.findings.push(...findings);
      parsed.tools.push(kind);
    }
  }
}

function fieldsOf(parsed: Parsed, cap: number): ReportFields {
  const sorted = parsed.findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => RANK[a.finding.severity] - RANK[b.finding.severity] || a.index - b.index)
    .map(({ finding }) => finding);
  const kept = sorted.slice(0, Math.max(0, cap));
  const omitted = sorted.length - kept.length;
  return {
    ...(parsed.tools.length === 0 ? {} : { tools: parsed.tools, findings: kept }),
    ...(omitted > 0 ? { findingsOmitted: omitted } : {}),
    ...(parsed.tests === undefined ? {} : { tests: parsed.tests }),
    ...(parsed.coverage === undefined ? {} : { coverageReport: parsed.coverage }),
    ...(parsed.rejected.length === 0 ? {} : { rejected: parsed.rejected }),
  };
}

/**
 * The job's result with its parsed reports. The runner's verdicts stand; a parsed report
 * adds to them: a rejected report is named in the summary, and the bandit gate read from the
 * parsed findings fails a job whose exit-code reading passed it.
 */
export function withReports(
  result: JobResult,
  fields: ReportFields,
  steps: readonly Step[],
): JobResult {
  const notes = [...(fields.rejected ?? [])];
  let conclusion = result.conclusion;
  const bandit = steps.find((step) => step.kind === "bandit");
  if (bandit !== undefined && fields.tools?.includes("bandit") === true) {
    const gate = banditGate(fields.findings ?? [], bandit.failOn, bandit.confidence);
    if (!gate.passed && conclusion === "success") {
      conclusion = "failure";
      notes.push(`${gate.failing.length} bandit findings at or above ${bandit.failOn}`);
    }
  }
  const coverage = result.coverage ?? fields.coverageReport?.totals.percent;
  return {
    ...result,
    ...fields,
    conclusion,
    summary: notes.length === 0 ? result.summary : `${result.summary}; ${notes.join("; ")}`,
    ...(coverage === undefined ? {} : { coverage }),
  };
}
