import type { Finding, Severity } from "./model.js";
import { truncateBytes, truncateChars } from "./truncate.js";

/** A check run annotation as the Checks API takes it (`output.annotations[]`). */
export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly start_column?: number;
  readonly end_column?: number;
  readonly annotation_level: "notice" | "warning" | "failure";
  readonly title?: string;
  readonly message: string;
  readonly raw_details?: string;
}

/** GitHub's limits: title 255 characters, message and raw details 64 KB. */
export const ANNOTATION_TITLE_LIMIT = 255;
export const ANNOTATION_TEXT_BYTES = 64 * 1024 - 1;
export const ANNOTATIONS_PER_REQUEST = 50;
export const DEFAULT_ANNOTATION_CAP = 1000;

const LEVEL: Readonly<Record<Severity, CheckAnnotation["annotation_level"]>> = {
  error: "failure",
  warning: "warning",
  notice: "notice",
};
const RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, notice: 2 };

/**
 * Findings as annotations, the most severe first, at most `cap` of them (`omitted` says how
 * many more there were, for the summary's "N more").
 */
export function toAnnotations(
  findings: readonly Finding[],
  options: { readonly cap?: number } = {},
): { annotations: CheckAnnotation[]; omitted: number } {
  const cap = Math.max(0, options.cap ?? DEFAULT_ANNOTATION_CAP);
  const sorted = [...findings].sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.line - b.line,
  );
  return {
    annotations: sorted.slice(0, cap).map(toAnnotation),
    omitted: Math.max(0, sorted.length - cap),
  };
}

function toAnnotation(finding: Finding): CheckAnnotation {
  const endLine = Math.max(finding.line, finding.endLine ?? finding.line);
  // The API takes columns only on single-line annotations.
  const columns =
    endLine === finding.line && finding.column !== undefined
      ? {
          start_column: finding.column,
          end_column: Math.max(finding.column, finding.endColumn ?? finding.column),
        }
      : {};
  const details = [finding.details, finding.url].filter((text) => text !== undefined).join("\n\n");
  return {
    path: finding.path,
    start_line: finding.line,
    end_line: endLine,
    ...columns,
    annotation_level: LEVEL[finding.severity],
    title: truncateChars(finding.title, ANNOTATION_TITLE_LIMIT),
    message: truncateBytes(
      finding.message === "" ? finding.title : finding.message,
      ANNOTATION_TEXT_BYTES,
    ),
    ...(details === "" ? {} : { raw_details: truncateBytes(details, ANNOTATION_TEXT_BYTES) }),
  };
}

/** Splits a list into requests of `size` (the Checks API takes 50 annotations per call). */
export function batches<T>(items: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  const step = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}
