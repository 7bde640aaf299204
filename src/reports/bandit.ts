import { z } from "zod";
import { decodeInput, issuesOf, limitsOf, parseJsonBounded, reject } from "./input.js";
import {
  LEVELS,
  type Finding,
  type Level,
  type ParseOptions,
  type ParseResult,
  type Severity,
} from "./model.js";
import { repositoryPath } from "./paths.js";

const BanditResult = z.object({
  filename: z.string(),
  line_number: z.number().int(),
  col_offset: z.number().int().optional(),
  end_col_offset: z.number().int().optional(),
  test_id: z.string(),
  test_name: z.string().optional(),
  issue_severity: z.string(),
  issue_confidence: z.string(),
  issue_text: z.string(),
  code: z.string().optional(),
  more_info: z.string().optional(),
});
type BanditResult = z.infer<typeof BanditResult>;

const BanditJson = z.object({
  results: z.array(z.unknown()),
  errors: z
    .array(z.object({ filename: z.string().optional(), reason: z.string().optional() }).loose())
    .optional(),
});

const SEVERITY: Readonly<Record<Level, Severity>> = {
  high: "error",
  medium: "warning",
  low: "notice",
};

/** `bandit -f json`. Results are checked one by one: one odd entry does not sink the rest. */
export function parseBandit(
  input: string | Uint8Array,
  options: ParseOptions = {},
): ParseResult<Finding[]> {
  const limits = limitsOf(options);
  const text = decodeInput(input, limits.jsonBytes);
  if (!text.ok) return reject("bandit", text.why);
  const json = parseJsonBounded(text.value, limits.depth);
  if (!json.ok) return reject("bandit", json.why);
  const report = BanditJson.safeParse(json.value);
  if (!report.success) return reject("bandit", issuesOf(report.error));
  const findings: Finding[] = [];
  let invalid = 0;
  let outside = 0;
  for (const entry of report.data.results.slice(0, limits.items)) {
    const result = BanditResult.safeParse(entry);
    const finding = result.success ? toFinding(result.data, options.root) : undefined;
    if (!result.success) invalid++;
    else if (finding === undefined) outside++;
    else findings.push(finding);
  }
  const warnings: string[] = [];
  const more = report.data.results.length - limits.items;
  if (more > 0) warnings.push(`${more} result(s) beyond the first ${limits.items} were left out`);
  if (invalid > 0) warnings.push(`${invalid} result(s) without the expected fields were skipped`);
  if (outside > 0) warnings.push(`${outside} result(s) outside the repository were left out`);
  const errors = report.data.errors ?? [];
  if (errors.length > 0) warnings.push(`bandit could not scan ${errors.length} file(s)`);
  return { ok: true, value: findings, warnings };
}

function toFinding(result: BanditResult, root: string | undefined): Finding | undefined {
  const path = repositoryPath(result.filename, root);
  const severity = level(result.issue_severity);
  const confidence = level(result.issue_confidence);
  if (path === undefined || result.line_number < 1) return undefined;
  const code = codeLine(result.code, result.line_number);
  // bandit's offsets are 0-based, the end exclusive: 1-based inclusive is the same number.
  const column = result.col_offset;
  const end = result.end_col_offset;
  return {
    tool: "bandit",
    path,
    line: result.line_number,
    // bandit's line_range runs on to the next statement (an import spans blank lines): the
    // finding stays on its own line.
    ...(column === undefined ? {} : { column: column + 1 }),
    ...(column === undefined || end === undefined || end <= column ? {} : { endColumn: end }),
    severity: severity === undefined ? "warning" : SEVERITY[severity],
    rule: result.test_id,
    title: `${result.test_id}${result.test_name === undefined ? "" : ` ${result.test_name}`}`,
    message: result.issue_text,
    toolSeverity: severity ?? result.issue_severity.toLowerCase(),
    ...(confidence === undefined ? {} : { confidence }),
    ...(code === undefined ? {} : { code }),
    ...(result.more_info === undefined ? {} : { url: result.more_info }),
  };
}

function level(value: string): Level | undefined {
  const lower = value.toLowerCase();
  return LEVELS.find((name) => name === lower);
}

/** bandit quotes a few numbered lines around the issue: "17     return call(x, shell=True)". */
function codeLine(code: string | undefined, line: number): string | undefined {
  for (const text of (code ?? "").split("\n")) {
    const match = /^(\d+) (.*)$/.exec(text);
    if (match !== null && Number(match[1]) === line) return match[2] ?? "";
  }
  return undefined;
}

export interface BanditGate {
  readonly passed: boolean;
  /** Findings at or above `failOn` with at least `confidence`: these fail the check. */
  readonly failing: readonly Finding[];
  /** Findings with at least `confidence`, by bandit severity. */
  readonly counts: Readonly<Record<Level, number>>;
}

/**
 * `security.bandit.fail-on` and `confidence`: findings below the confidence are ignored; any
 * left at or above `failOn` fails the gate. Findings from other tools are ignored.
 */
export function banditGate(
  findings: readonly Finding[],
  failOn: "none" | Level,
  confidence: Level,
): BanditGate {
  const rank = (value: string | undefined) => LEVELS.indexOf((value ?? "") as Level);
  const counted = findings.filter(
    (finding) =>
      finding.tool === "bandit" &&
      rank(finding.toolSeverity) >= 0 &&
      rank(finding.confidence ?? "high") >= rank(confidence),
  );
  const counts = { low: 0, medium: 0, high: 0 };
  for (const finding of counted) counts[finding.toolSeverity as Level]++;
  const failing =
    failOn === "none"
      ? []
      : counted.filter((finding) => rank(finding.toolSeverity) >= rank(failOn));
  return { passed: failing.length === 0, failing, counts };
}
