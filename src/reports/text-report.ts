import { decodeInput, limitsOf, reject } from "./input.js";
import type { Finding, ParseOptions, ParseResult, ReportKind } from "./model.js";

/** One line of a text report: a finding, a continuation of the previous one, or noise. */
export type LineReading =
  | { readonly kind: "finding"; readonly finding: Finding }
  | { readonly kind: "continue"; readonly text: string }
  | { readonly kind: "outside" }
  | { readonly kind: "skip" };

/**
 * The common walk of line-oriented reports (flake8, pylint, mypy): each line is read on its
 * own, continuation lines extend the previous finding's message, and the count is capped.
 */
export function parseLines(input: {
  readonly kind: ReportKind;
  readonly text: string | Uint8Array;
  readonly options: ParseOptions;
  readonly read: (line: string) => LineReading;
}): ParseResult<Finding[]> {
  const limits = limitsOf(input.options);
  const text = decodeInput(input.text, limits.textBytes);
  if (!text.ok) return reject(input.kind, text.why);
  const findings: Finding[] = [];
  let outside = 0;
  let beyond = 0;
  for (const line of text.value.split(/\r?\n/)) {
    const reading = input.read(line);
    if (reading.kind === "outside") outside++;
    else if (reading.kind === "finding") {
      if (findings.length < limits.items) findings.push(reading.finding);
      else beyond++;
    } else if (reading.kind === "continue") {
      const last = findings.at(-1);
      if (last !== undefined && beyond === 0)
        findings[findings.length - 1] = extend(last, reading.text);
    }
  }
  const warnings: string[] = [];
  if (beyond > 0)
    warnings.push(`${beyond} finding(s) beyond the first ${limits.items} were left out`);
  if (outside > 0) warnings.push(`${outside} finding(s) outside the repository were left out`);
  return { ok: true, value: findings, warnings };
}

const MESSAGE_LIMIT = 8 * 1024;

function extend(finding: Finding, text: string): Finding {
  if (finding.message.length >= MESSAGE_LIMIT) return finding;
  return { ...finding, message: `${finding.message}\n${text}`.slice(0, MESSAGE_LIMIT) };
}

export function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}
